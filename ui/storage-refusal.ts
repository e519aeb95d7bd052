import type { FastifyRequest } from 'fastify';
import { csrfField } from './forms';
import { html, type SafeHtml } from './html';
import { uploadedFiles } from './multipart';

/**
 * Posts that never write to the event store: signing in (password and code) and signing out. They are
 * taken while the store is full, as the API's /api/auth/ routes are, so that nobody is locked out.
 */
const UNGUARDED_POSTS = new Set(['/ui/login', '/ui/login/code', '/ui/logout']);

/** Whether a UI request must wait for room in the event store before its form reaches a gateway. */
export function guardedPost(request: FastifyRequest): boolean {
  if (request.method !== 'POST') return false;
  const path = request.url.split('?')[0] ?? '';
  return !UNGUARDED_POSTS.has(path);
}

const refusedForRoom = new WeakSet<FastifyRequest>();

/**
 * The storage guard (api/storage-guard.ts) before a form reaches a gateway: a refusal is remembered
 * for the error page, which then keeps what was typed (keptForm), and thrown on.
 */
export async function guardStorage(request: FastifyRequest, guard: (() => Promise<void>) | undefined): Promise<void> {
  if (!guard || !guardedPost(request)) return;
  try {
    await guard();
  } catch (err) {
    refusedForRoom.add(request);
    throw err;
  }
}

export function wasRefusedForRoom(request: FastifyRequest): boolean {
  return refusedForRoom.has(request);
}

/** Each text value of a posted form, repeated names kept, the form token left out (the page gives a fresh one). */
function typedValues(body: unknown): [string, string][] {
  if (body === null || typeof body !== 'object') return [];
  const kept: [string, string][] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === '_csrf' || name === '__proto__') continue;
    for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string') kept.push([name, one]);
  }
  return kept;
}

/**
 * Under the refusal of a form the store had no room for: what the person typed, so nothing is lost. A
 * plain form comes back as a form that sends the same values to the same address (its command id
 * included, so sending it twice is still one command); a form with files shows the values to copy, as
 * files cannot be put back into a page.
 */
export function keptForm(request: FastifyRequest, csrf: string): SafeHtml {
  const values = typedValues(request.body);
  const shown = values.filter(([name]) => name !== 'commandId');
  if (values.length === 0) return html``;
  const list = html`<dl class="facts">${shown.map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>`;
  if (uploadedFiles(request.body).length > 0 || String(request.headers['content-type'] ?? '').startsWith('multipart/')) {
    return html`<h2>What you typed</h2>
      <p>Nothing was sent. Copy what you typed from here, go back to the form once space is freed and choose the files again.</p>
      ${list}`;
  }
  return html`<h2>What you typed</h2>
    <p>Nothing was sent, and what you typed is kept here. Once space is freed, send it again as it is.</p>
    ${list}
    <form method="post" action="${request.url}">
      ${csrfField(csrf)}
      ${values.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
      <div><button type="submit">Send again</button></div>
    </form>`;
}
