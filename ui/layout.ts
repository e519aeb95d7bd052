import type { Actor } from '../domain/shared/actor';
import type { Role } from '../domain/shared/vocabulary';
import { COMPLIANCE_STAFF } from '../projections/compliance/queries';
import { html, type SafeHtml } from './html';

/** The page's place in the navigation; a case page and error pages have none of their own. */
export type NavKey =
  | 'home' | 'login' | 'queue' | 'register' | 'new' | 'audit' | 'case' | 'accreditations' | 'compliance' | 'accounts'
  | 'entity' | 'entities' | 'frameworks' | 'changes' | 'inbox' | 'operations' | 'none';

/**
 * Unread notices of the signed-in person, counted once per request when the session is resumed
 * (ui/register-ui.ts) and keyed by that request's actor, so every page's navigation shows it.
 */
const unreadByActor = new WeakMap<Actor, number>();
export function rememberUnread(actor: Actor, unread: number): void {
  unreadByActor.set(actor, unread);
}

function inboxLink(actor: Actor, here: boolean): SafeHtml {
  const unread = unreadByActor.get(actor) ?? 0;
  const count = unread > 0 ? html` <span class="badge">${unread}<span class="visually-hidden"> unread</span></span>` : '';
  return html`<li><a href="/ui/inbox"${here ? html` aria-current="page"` : ''}>Inbox${count}</a></li>`;
}

export interface PageOptions {
  title: string;
  /** The signed-in user; absent on public pages. */
  actor?: Actor;
  /** The CSRF token for the forms on the page (the logout button needs it too). */
  csrf: string;
  current: NavKey;
  main: SafeHtml;
  /** A confirmation shown at the top of the page, announced to screen readers. */
  notice?: string;
  /** Extra elements for <head> (the queue's refresh). */
  head?: SafeHtml;
}

/** Who sees the operators' page (/ui/operations): the administrators who run the office and the directors answerable for its pace. */
export const OPERATIONS_ROLES: readonly Role[] = ['admin', 'director'];

function navLink(href: string, label: string, here: boolean): SafeHtml {
  return html`<li><a href="${href}"${here ? html` aria-current="page"` : ''}>${label}</a></li>`;
}

function navigation(actor: Actor | undefined, current: NavKey): SafeHtml {
  if (!actor) {
    return html`<ul>${navLink('/', 'Home', current === 'home')}${navLink('/ui/login', 'Sign in', current === 'login')}${navLink('/ui/provider-registration', 'Register as a provider', false)}</ul>`;
  }
  return html`<ul>
    ${actor.role === 'pse' ? navLink('/ui/entity', 'My entity', current === 'entity') : ''}
    ${actor.role === 'csp' ? navLink('/ui/provider', 'Provider home', current === 'home') : ''}
    ${navLink('/ui/queue', 'My queue', current === 'queue')}
    ${inboxLink(actor, current === 'inbox')}
    ${navLink('/ui/nocs', 'NOC register', current === 'register')}
    ${actor.role === 'pse' || actor.role === 'provincial-officer' ? '' : navLink('/ui/accreditations', 'Accreditations', current === 'accreditations')}
    ${COMPLIANCE_STAFF.includes(actor.role) ? navLink('/ui/compliance', 'Compliance', current === 'compliance') : ''}
    ${COMPLIANCE_STAFF.includes(actor.role) ? navLink('/ui/changes', 'Significant changes', current === 'changes') : ''}
    ${actor.role === 'pse' ? navLink('/ui/entity/nocs/new', 'Request a NOC', current === 'new') : ''}
    ${actor.role === 'auditor' ? navLink('/ui/audit/log', 'Event log', current === 'audit') : ''}
    ${actor.role === 'auditor' ? navLink('/ui/audit/as-of', 'As of…', false) : ''}
    ${actor.role === 'auditor' ? navLink('/ui/audit/verification', 'Verification', false) : ''}
    ${actor.role === 'director' ? navLink('/ui/frameworks', 'Framework versions', current === 'frameworks') : ''}
    ${actor.role === 'admin' || actor.role === 'provincial-officer' ? navLink('/ui/entities', 'Entities', current === 'entities') : ''}
    ${actor.role === 'admin' ? navLink('/ui/accounts', 'Accounts', current === 'accounts') : ''}
    ${actor.role === 'admin' ? navLink('/ui/provider-registrations', 'Provider registrations', false) : ''}
    ${OPERATIONS_ROLES.includes(actor.role) ? navLink('/ui/operations', 'Operations', current === 'operations') : ''}
  </ul>`;
}

/** Every page: language, skip link, banner, navigation, one main landmark, footer. */
export function page(options: PageOptions): SafeHtml {
  const { actor, csrf, current } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Cloud Office</title>
<link rel="stylesheet" href="/ui/static/ui.css">
${options.head ?? ''}
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="banner">
  <p class="brand"><a href="/">Cloud Office</a></p>
  <nav aria-label="Main">${navigation(actor, current)}</nav>
  ${
    actor
      ? html`<form class="whoami" method="post" action="/ui/logout">
          <span>${actor.name} <span class="role">(${actor.role}, ${actor.jurisdiction})</span></span>
          <input type="hidden" name="_csrf" value="${csrf}">
          <button type="submit" class="link">Sign out</button>
        </form>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${options.main}
</main>
<footer><p>Cloud Office · system of record for cloud accreditation and NOCs · <a href="/openapi.json">API description</a></p></footer>
</body>
</html>`;
}

/** Formats an ISO instant for people: date and minutes, UTC, in a <time> that keeps the exact value. */
export function when(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const shown = iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  return html`<time datetime="${iso}">${shown}</time>`;
}

export function label(text: string): string {
  const spaced = text.replace(/-/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
