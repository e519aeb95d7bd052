import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import { RegistrationRequestBody, organisationOf } from '../../../api/schemas/csp-registration';
import type { CspRegistrationDesk } from '../../../api/csp-registration-desk';
import { DomainError } from '../../../domain/shared/errors';
import { csrfOf, sendPage, seeOther, type UiContext } from '../../context';
import { csrfField, errorSummary, formValues, textField, type FormErrors, type FormValues } from '../../forms';
import { html } from '../../html';
import { page } from '../../layout';

const FORM = 'registration';
const LABELS: Record<string, string> = {
  organisationName: 'Organisation name',
  registrationNumber: 'SECP registration number',
  contactName: 'Contact person',
  contactEmail: 'Contact email',
  contactPhone: 'Contact phone (optional)',
  username: 'Username you want',
};

export function deskOf(ctx: UiContext): CspRegistrationDesk {
  if (ctx.deps.cspRegistrations === undefined) throw new DomainError('UNAVAILABLE', 'Registration requests are not taken on this server');
  return ctx.deps.cspRegistrations;
}

/** A DomainError the person can act on is shown on the form; anything else goes to the error page. */
export function shownOnForm(err: unknown): err is DomainError {
  return err instanceof DomainError && err.kind !== 'internal' && err.kind !== 'unavailable';
}

/**
 * The public registration request: a provider without an account asks the office to register it.
 * The form is throttled per address like the API's (they share one limit) and shown again, with
 * everything typed, next to what was refused.
 */
export function registrationRequestRoutes(app: FastifyInstance, ctx: UiContext): void {
  const render = (request: FastifyRequest, reply: FastifyReply, values: FormValues = {}, errors: FormErrors = {}, status = 200) => {
    const field = (name: string, extra: { type?: 'text'; autocomplete?: string; hint?: string; required?: boolean } = {}) =>
      textField({ form: FORM, name, label: LABELS[name] as string, values, errors, required: extra.required ?? true, ...extra });
    return sendPage(
      reply,
      page({
        title: 'Register as a cloud service provider',
        actor: request.actor,
        csrf: csrfOf(ctx, request),
        current: 'none',
        main: html`<h1>Register as a cloud service provider</h1>
          <p>Ask the Cloud Office to enter your company in the register of cloud service providers. An administrator checks the
            request; once it is approved, your contact person receives an account to add offerings and apply for accreditation.</p>
          ${errorSummary(FORM, errors)}
          <form method="post" action="/ui/provider-registration" novalidate>
            ${csrfField(csrfOf(ctx, request))}
            ${field('organisationName', { autocomplete: 'organization' })}
            ${field('registrationNumber', { hint: 'As on your certificate of incorporation from the SECP.' })}
            ${field('contactName', { autocomplete: 'name' })}
            ${field('contactEmail', { autocomplete: 'email' })}
            ${field('contactPhone', { autocomplete: 'tel', required: false })}
            ${field('username', { autocomplete: 'username', hint: '3 to 32 characters: a letter first, then letters, digits, dots, dashes or underscores.' })}
            <button type="submit">Send the request</button>
          </form>`,
      }),
      status,
    );
  };

  app.get('/provider-registration', async (request, reply) => render(request, reply));

  app.get('/provider-registration/sent', async (request, reply) => {
    const id = String((request.query as Record<string, unknown>).request ?? '');
    return sendPage(
      reply,
      page({
        title: 'Registration request sent',
        actor: request.actor,
        csrf: csrfOf(ctx, request),
        current: 'none',
        main: html`<h1>Registration request sent</h1>
          <p>Your request ${/^REG-\d{4}-[0-9A-Z]{8}$/.test(id) ? html`<strong>${id}</strong> ` : ''}awaits an administrator of the Cloud Office.
            Once it is approved, the office gives your contact person the account's first password; at the first sign-in they set up an
            authenticator app.</p>
          <p><a href="/ui/login">Sign in</a></p>`,
      }),
    );
  });

  app.post('/provider-registration', async (request, reply) => {
    const values = formValues(request.body);
    const raw = Object.fromEntries(Object.entries(values).filter(([k, v]) => k in LABELS && !(k === 'contactPhone' && v.trim() === '')));
    try {
      await request.server.registrationThrottle.check(request);
      const parsed = RegistrationRequestBody.safeParse(raw);
      if (!parsed.success) {
        const errors: FormErrors = {};
        for (const issue of parsed.error.issues) {
          const name = String(issue.path[0] ?? '');
          const label = LABELS[name];
          if (label === undefined) errors[''] ??= issue.message;
          else errors[name] ??= `${label}: ${issue.message === 'Required' || issue.code === 'invalid_type' ? 'must not be empty' : issue.message}`;
        }
        return render(request, reply, values, errors, 400);
      }
      const recorded = await deskOf(ctx).request({ organisation: organisationOf(parsed.data), username: parsed.data.username });
      return seeOther(reply, `/ui/provider-registration/sent?request=${encodeURIComponent(recorded.requestId)}`);
    } catch (err) {
      if (!shownOnForm(err)) throw err;
      if (err.code === 'RATE_LIMITED') reply.header('retry-after', String((err as DomainError & { retryAfterSeconds: number }).retryAfterSeconds));
      const label = err.field !== undefined ? LABELS[err.field] : undefined;
      const errors: FormErrors = label !== undefined && err.field !== undefined ? { [err.field]: `${label}: ${err.message}` } : { '': err.message };
      return render(request, reply, values, errors, statusOf(err));
    }
  });
}
