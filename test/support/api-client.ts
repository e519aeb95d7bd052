import type { Stack } from './stack';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** HTTP calls against a running stack, as the accounts it was started with (each signed in once). */
export interface ApiClient<W extends string> {
  /** `headers`: e.g. an Idempotency-Key, to send the same request again. */
  call(method: string, path: string, who?: W, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A call that must succeed; answers its body. */
  ok(method: string, path: string, who: W, body?: unknown): Promise<Record<string, unknown>>;
  /** Waits until the read models have caught up with the event log. */
  projected(): Promise<void>;
}

export async function apiClient<W extends string>(stack: Stack, accounts: Record<W, { username: string }>, password: string): Promise<ApiClient<W>> {
  const tokens = {} as Record<W, string>;
  async function call(method: string, path: string, who?: W, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(`${stack.base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  async function ok(method: string, path: string, who: W, body?: unknown): Promise<Record<string, unknown>> {
    const res = await call(method, path, who, body);
    expect({ path, status: res.status < 300 ? 'ok' : res.status, error: res.status < 300 ? undefined : res.body }).toEqual({ path, status: 'ok', error: undefined });
    return res.body;
  }
  for (const who of Object.keys(accounts) as W[]) {
    const res = await call('POST', '/api/auth/login', undefined, { username: accounts[who].username, password, code: stack.totp.code(accounts[who].username) });
    tokens[who] = (res.body as { token: string }).token;
  }
  return { call, ok, projected: async () => stack.runner.waitFor(await stack.store.headPosition()) };
}
