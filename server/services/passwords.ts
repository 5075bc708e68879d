import { hash, verify } from "@node-rs/argon2";

// argon2id (the library's default algorithm) with the OWASP-recommended minimum: 19 MiB,
// 2 passes, 1 lane; about 50 ms a hash.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Spent on unknown emails so that response times do not reveal which emails exist. */
const decoyHash = hashPassword("decoy password that never matches");

export async function spendPasswordCheck(password: string): Promise<void> {
  await verifyPassword(await decoyHash, password);
}
