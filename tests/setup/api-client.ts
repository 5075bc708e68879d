import { expect } from "vitest";

export interface ApiResponse<Body> {
  status: number;
  body: Body;
}

/** A small JSON client for one user's token against a test server. */
export function apiClient(baseUrl: string, token: string) {
  async function call<Body = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<Body>> {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Body };
  }
  return {
    get: <Body = Record<string, unknown>>(path: string) => call<Body>("GET", path),
    post: <Body = Record<string, unknown>>(path: string, body?: unknown) =>
      call<Body>("POST", path, body ?? {}),
    put: <Body = Record<string, unknown>>(path: string, body?: unknown) =>
      call<Body>("PUT", path, body ?? {}),
    patch: <Body = Record<string, unknown>>(path: string, body?: unknown) =>
      call<Body>("PATCH", path, body ?? {}),
    delete: <Body = Record<string, unknown>>(path: string) => call<Body>("DELETE", path),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Asserts the contract's error shape and returns its details. */
export function expectApiError(
  response: ApiResponse<unknown>,
  status: number,
  code: string,
): Array<Record<string, unknown>> | undefined {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  const body = response.body as { error: { code: string; message: string; details?: unknown } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.details as Array<Record<string, unknown>> | undefined;
}
