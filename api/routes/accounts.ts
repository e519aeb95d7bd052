import { generatePassword } from '../../identity/tokens';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import { AccountCreated, AccountList, NewAccountBody } from '../schemas/identity';

export function accountRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/accounts',
      operationId: 'createAccount',
      summary: 'Create an account',
      description: 'Without a password the server generates one and returns it in this response only.',
      tag: 'accounts',
      auth: 'bearer',
      roles: ['admin'],
      body: NewAccountBody,
      bodyName: 'NewAccount',
      status: 201,
      response: AccountCreated,
      errors: [409],
      async handler({ body }) {
        const generatedPassword = body.password === undefined ? generatePassword() : undefined;
        const account = await deps.identity.createAccount({ ...body, password: body.password ?? (generatedPassword as string) });
        return generatedPassword === undefined ? { account } : { account, generatedPassword };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/accounts',
      operationId: 'listAccounts',
      summary: 'List the accounts',
      tag: 'accounts',
      auth: 'bearer',
      roles: ['admin'],
      status: 200,
      response: AccountList,
      handler: () => ({ items: deps.identity.listAccounts() }),
    }),
  ];
}
