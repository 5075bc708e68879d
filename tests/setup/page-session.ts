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

/**
 * Posts a page's form as a browser without scripts would, with the session `cookie` and the
 * `Origin` page posts must send; repeated keys (given as pairs) stay repeated. Redirects are not
 * followed, so the answer is the action's own.
 */
export function postPageForm(
  baseUrl: string,
  cookie: string,
  path: string,
  fields: Record<string, string> | Array<[string, string]>,
): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: baseUrl,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}
