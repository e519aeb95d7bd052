import type { SignInChallenge } from '../../identity/identity';
import { PASSWORD_MIN_LENGTH } from '../../identity/schemas';
import { csrfField, errorSummary, textField, type FormErrors } from '../forms';
import { html } from '../html';
import { page } from '../layout';

/**
 * The second step of signing in: the code of the authenticator app. At the first sign-in the page
 * first shows the secret to add to the app, as text and as the otpauth:// URI a QR code would hold.
 * After a password an administrator set (which serves once), the same form takes the person's own.
 */
export function codePage(o: { csrf: string; challenge: SignInChallenge | undefined; next: string; errors: FormErrors }) {
  const { challenge, errors } = o;
  if (!challenge) {
    return page({
      title: 'Sign in',
      csrf: o.csrf,
      current: 'login',
      main: html`<h1>Sign in again</h1>
        <p>That sign-in took too long or too many codes were wrong.</p>
        <p><a href="/ui/login">Sign in again</a></p>`,
    });
  }
  const enrolment = challenge.enrolment;
  return page({
    title: enrolment ? 'Set up your authenticator' : 'Enter your code',
    csrf: o.csrf,
    current: 'login',
    main: html`<h1>${enrolment ? 'Set up your authenticator' : 'Enter your code'}</h1>
      ${errorSummary('code', errors)}
      ${
        enrolment
          ? html`<p>Every sign-in needs a second factor. Add this account to an authenticator app (any app for
              time-based one-time codes) by entering the key below, or by opening the link on the phone that has the app.</p>
              <dl>
                <dt>Account</dt><dd>${challenge.username}</dd>
                <dt>Key</dt><dd><code id="mfa-secret">${enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code></dd>
                <dt>Link</dt><dd><a id="mfa-uri" href="${enrolment.otpauthUri}">${enrolment.otpauthUri}</a></dd>
              </dl>
              <p>Then enter the code the app shows, to confirm it works.</p>`
          : html`<p>Enter the current code of your authenticator app, or one of your recovery codes.</p>`
      }
      <form class="stack" method="post" action="/ui/login/code" novalidate>
        ${csrfField(o.csrf)}
        <input type="hidden" name="challenge" value="${challenge.challenge}">
        <input type="hidden" name="next" value="${o.next}">
        ${
          challenge.passwordChangeRequired
            ? html`<p>The password you used was set by an administrator and works only this once: choose your own.</p>
                ${textField({ form: 'code', name: 'newPassword', label: 'New password', type: 'password', values: {}, errors, required: true, autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN_LENGTH} characters.` })}
                ${textField({ form: 'code', name: 'repeatPassword', label: 'New password again', type: 'password', values: {}, errors, required: true, autocomplete: 'new-password' })}`
            : ''
        }
        ${textField({ form: 'code', name: 'code', label: 'Code', values: {}, errors, required: true, autocomplete: 'one-time-code' })}
        <div><button type="submit">${enrolment ? 'Confirm and sign in' : 'Sign in'}</button></div>
      </form>`,
  });
}

/** Shown once, right after the enrolment was confirmed; only their hashes are kept. */
export function recoveryCodesPage(o: { csrf: string; codes: readonly string[]; next: string }) {
  return page({
    title: 'Your recovery codes',
    csrf: o.csrf,
    current: 'none',
    main: html`<h1>Your recovery codes</h1>
      <p>Your authenticator is set up. Keep these codes somewhere safe, apart from your phone: each one signs
        you in once in place of a code if you lose the app. They are shown this once.</p>
      <ul id="recovery-codes">${o.codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
      <p><a href="${o.next}">Continue</a></p>`,
  });
}
