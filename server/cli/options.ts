import { InvalidArgumentError } from "commander";

export function parseProjectId(value: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidArgumentError("must be a project id, a positive integer");
  }
  return id;
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number <= 0) {
    throw new InvalidArgumentError("must be a positive integer");
  }
  return number;
}
