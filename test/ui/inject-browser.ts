import type { FastifyInstance } from 'fastify';
import { testTotp } from '../support/mfa';

/** A browser's cookie jar, reduced to what these tests need. */
export class InjectBrowser {
  readonly cookies = new Map<string, string>();
  /** `headers` go with every request, e.g. the X-Forwarded-Proto a TLS proxy would add. */
  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...this.headers,
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      payload: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const gone = c.value === '' || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.maxAge === 0;
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  /** A form with files, sent as multipart/form-data the way a browser sends one. */
  async upload(url: string, form: Record<string, string>, files: { name: string; filename: string; contentType: string; content: Buffer }[]) {
    const boundary = '----inject-browser-boundary';
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(form)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    for (const f of files) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`), f.content, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat(parts),
    });
  }

  async csrf(url: string): Promise<string> {
    const res = await this.request('GET', url);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (!token) throw new Error(`No form token on ${url} (${res.statusCode})`);
    return token;
  }

  /**
   * Both steps: the password, then (when it was right) a code of the account's test authenticator. The
   * code page of a one-time password also asks for the person's own: `newPassword` then.
   */
  async signIn(username: string, password: string, next = '', newPassword?: string) {
    const _csrf = await this.csrf('/ui/login');
    const step = await this.request('POST', '/ui/login', { _csrf, username, password, next });
    const challenge = /name="challenge" value="([^"]+)"/.exec(step.body)?.[1];
    if (step.statusCode !== 200 || !challenge) return step;
    const secret = /id="mfa-secret">([^<]+)</.exec(step.body)?.[1];
    if (secret !== undefined) testTotp.remember(username, secret.replace(/\s/g, ''));
    return this.codeStep(challenge, testTotp.code(username), next, newPassword);
  }

  /** The second step of signing in, with the form token of the code page. */
  async codeStep(challenge: string, code: string, next = '', newPassword?: string) {
    const _csrf = await this.csrf('/ui/login');
    const chosen: Record<string, string> = newPassword === undefined ? {} : { newPassword, repeatPassword: newPassword };
    return this.request('POST', '/ui/login/code', { _csrf, challenge, code, next, ...chosen });
  }
}
