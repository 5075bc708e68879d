/**
 * Signs in through the login form over HTTP, as a browser without scripts would, and returns
 * the session cookie (`name=value`) for page requests. Page posts must also send `Origin`.
 */
export async function signInCookie(
  baseUrl: string,
  email: string,
  password: string,
): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl },
    body: new URLSearchParams({ email, password }),
    redirect: "manual",
  });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (response.status !== 302 || !cookie) {
    throw new Error(`Signing in as ${email} failed with ${response.status}`);
  }
  return cookie;
}
