import { generatePassword } from '../../identity/tokens';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import {
  AccountCreated,
  AccountList,
  AccountParams,
  AccountResult,
  ChangeEmailBody,
  ChangeRoleBody,
  GrantParams,
  NewAccountBody,
  NoFieldsBody,
  PasswordResetResult,
  PendingGrantList,
  RejectGrantBody,
  ResetPasswordBody,
} from '../schemas/identity';

const FOUR_EYES =
  'A privileged role (director, security-reviewer, auditor, admin) takes effect only when a second administrator approves the grant: ' +
  'an account created with one cannot sign in until then, an existing account keeps its previous role meanwhile.';

/** Accounts, for administrators. Every change is an event in the account's stream (`account-<username>`). */
export function accountRoutes(deps: ApiDeps): AnyRoute[] {
  const admin = { tag: 'accounts', auth: 'bearer', roles: ['admin'] } as const;
  return [
    defineRoute({
      ...admin,
      method: 'POST',
      url: '/api/accounts',
      operationId: 'createAccount',
      summary: 'Create an account',
      description: `Without a password the server generates one and returns it in this response only. ${FOUR_EYES}`,
      body: NewAccountBody,
      bodyName: 'NewAccount',
      status: 201,
      response: AccountCreated,
      // 503: the event store could not take the account's events (busy, or out of space); nothing is created.
      errors: [403, 409, 503],
      async handler({ actor, body }) {
        const generatedPassword = body.password === undefined ? generatePassword() : undefined;
        const account = await deps.identity.createAccount(actor, { ...body, password: body.password ?? (generatedPassword as string) });
        return generatedPassword === undefined ? { account } : { account, generatedPassword };
      },
    }),
    defineRoute({
      ...admin,
      method: 'GET',
      url: '/api/accounts',
      operationId: 'listAccounts',
      summary: 'List the accounts',
      status: 200,
      response: AccountList,
      handler: () => ({ items: deps.identity.listAccounts() }),
    }),
    defineRoute({
      ...admin,
      method: 'GET',
      url: '/api/accounts/grants/pending',
      operationId: 'listPendingGrants',
      summary: 'Privileged grants awaiting a second administrator',
      status: 200,
      response: PendingGrantList,
      handler: () => ({ items: deps.identity.listPendingGrants() }),
    }),
    defineRoute({
      ...admin,
      method: 'PUT',
      url: '/api/accounts/:username/role',
      operationId: 'changeAccountRole',
      summary: "Change an account's role, jurisdiction or organisation",
      description: `${FOUR_EYES} Answers GRANT_PENDING while another grant awaits approval.`,
      params: AccountParams,
      body: ChangeRoleBody,
      bodyName: 'ChangeRole',
      status: 200,
      response: AccountResult,
      errors: [403, 409],
      handler: async ({ actor, params, body }) => ({ account: await deps.identity.changeAssignment(actor, params.username, body) }),
    }),
    defineRoute({
      tag: 'accounts',
      auth: 'bearer',
      method: 'PUT',
      url: '/api/accounts/:username/email',
      operationId: 'changeAccountEmail',
      summary: 'Set or remove the address notices are mailed to (an administrator, or the person for their own account)',
      description: 'Anyone else is refused with ROLE_NOT_ALLOWED. Recorded as AccountEmailChanged on the account stream; the same address again records nothing.',
      params: AccountParams,
      body: ChangeEmailBody,
      bodyName: 'ChangeEmail',
      status: 200,
      response: AccountResult,
      errors: [403],
      handler: async ({ actor, params, body }) => ({ account: await deps.identity.changeEmail(actor, params.username, body.email) }),
    }),
    defineRoute({
      ...admin,
      method: 'POST',
      url: '/api/accounts/:username/grants/:grantId/approve',
      operationId: 'approveGrant',
      summary: 'Approve a pending privileged grant (second administrator)',
      description:
        'GRANT_SELF_APPROVAL when you asked for the grant or it is yours; GRANT_NOT_PENDING when no such grant awaits approval.',
      params: GrantParams,
      body: NoFieldsBody,
      bodyName: 'NoFields',
      status: 200,
      response: AccountResult,
      errors: [403, 409],
      handler: async ({ actor, params }) => ({ account: await deps.identity.approveGrant(actor, params.username, params.grantId) }),
    }),
    defineRoute({
      ...admin,
      method: 'POST',
      url: '/api/accounts/:username/grants/:grantId/reject',
      operationId: 'rejectGrant',
      summary: 'Reject a pending privileged grant; the account keeps its role in force',
      params: GrantParams,
      body: RejectGrantBody,
      bodyName: 'RejectGrant',
      status: 200,
      response: AccountResult,
      errors: [403, 409],
      handler: async ({ actor, params, body }) => ({
        account: await deps.identity.rejectGrant(actor, params.username, params.grantId, body.reason),
      }),
    }),
    ...([
      { action: 'disable', operationId: 'disableAccount', summary: 'Disable an account and end its sessions', disabled: true },
      { action: 'enable', operationId: 'enableAccount', summary: 'Enable a disabled account', disabled: false },
    ] as const).map(({ action, operationId, summary, disabled }) =>
      defineRoute({
        ...admin,
        method: 'POST',
        url: `/api/accounts/:username/${action}`,
        operationId,
        summary,
        params: AccountParams,
        body: NoFieldsBody,
        bodyName: 'NoFields',
        status: 200,
        response: AccountResult,
        errors: [403],
        handler: async ({ actor, params }) => ({ account: await deps.identity.setDisabled(actor, params.username, disabled) }),
      }),
    ),
    defineRoute({
      ...admin,
      method: 'POST',
      url: '/api/accounts/:username/reset-password',
      operationId: 'resetPassword',
      summary: "Reset an account's password and end its sessions",
      description: 'Without a password the server generates one and returns it in this response only. The event records who reset it, never the password.',
      params: AccountParams,
      body: ResetPasswordBody,
      bodyName: 'ResetPassword',
      status: 200,
      response: PasswordResetResult,
      errors: [403],
      async handler({ actor, params, body }) {
        const generatedPassword = body.password === undefined ? generatePassword() : undefined;
        const account = await deps.identity.resetPassword(actor, params.username, body.password ?? (generatedPassword as string));
        return generatedPassword === undefined ? { account } : { account, generatedPassword };
      },
    }),
  ];
}
