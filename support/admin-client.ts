/**
 * A small client of Express Gateway's admin API: what `eg users create`,
 * `eg apps create`, `eg credentials create` and `eg scopes create` send.
 */
export class AdminClient {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin API ${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createScopes(scopes: string[]): Promise<unknown> {
    return this.call('POST', '/scopes', { scopes });
  }

  async listScopes(): Promise<string[]> {
    return (await this.call<{ scopes?: string[] }>('GET', '/scopes')).scopes ?? [];
  }

  createUser(user: {
    username: string;
    firstname: string;
    lastname: string;
    [key: string]: string;
  }): Promise<{ id: string; username: string }> {
    return this.call('POST', '/users', user);
  }

  createApp(app: {
    name: string;
    userId: string;
    redirectUri?: string;
    [key: string]: string | undefined;
  }): Promise<{ id: string; name: string }> {
    return this.call('POST', '/apps', app);
  }

  createCredential(
    consumerId: string,
    type: 'basic-auth' | 'oauth2',
    credential: Record<string, unknown>
  ): Promise<Record<string, unknown>> {
    return this.call('POST', '/credentials', { consumerId, type, credential });
  }

  /** An app with an oauth2 credential holding these scopes: an OAuth client. The secret is shown only here. */
  async registerClient(
    app: Parameters<AdminClient['createApp']>[0],
    scopes: string[]
  ): Promise<{ id: string; name: string; secret: string }> {
    const created = await this.createApp(app);
    const credential = await this.createCredential(created.id, 'oauth2', { scopes });
    return { ...created, secret: String(credential.secret) };
  }

  /** What `eg users update` sends: the properties to change. */
  updateUser(id: string, properties: Record<string, string>): Promise<unknown> {
    return this.call('PUT', `/users/${id}`, properties);
  }

  /** What `eg apps update` sends: the properties to change. */
  updateApp(id: string, properties: Record<string, string>): Promise<unknown> {
    return this.call('PUT', `/apps/${id}`, properties);
  }

  setUserActive(id: string, active: boolean): Promise<unknown> {
    return this.call('PUT', `/users/${id}/status`, { status: active });
  }

  setAppActive(id: string, active: boolean): Promise<unknown> {
    return this.call('PUT', `/apps/${id}/status`, { status: active });
  }

  setCredentialActive(type: string, id: string, active: boolean): Promise<unknown> {
    return this.call('PUT', `/credentials/${type}/${id}/status`, { status: active });
  }
}

/** What the demo and the tests seed: a user, scopes, a confidential app with an oauth2 credential. */
export interface SeededWorld {
  user: { id: string; username: string; password: string };
  /** The user owning the apps. */
  developer: { id: string };
  app: { id: string; name: string; secret: string; scopes: string[] };
}

export async function seedWorld(
  admin: AdminClient,
  options: {
    scopes?: string[];
    appName?: string;
    username?: string;
    redirectUri?: string;
    redirectUris?: string[];
    postLogoutRedirectUris?: string[];
  } = {}
): Promise<SeededWorld> {
  const scopes = options.scopes ?? ['read', 'write'];
  const username = options.username ?? 'alice';
  const password = 'alice-password-1';
  const known = await admin.listScopes();
  const missing = scopes.filter((scope) => !known.includes(scope));
  if (missing.length > 0) await admin.createScopes(missing);
  const user = await admin.createUser({ username, firstname: 'Alice', lastname: 'Example' });
  await admin.createCredential(user.id, 'basic-auth', { password, autoGeneratePassword: false });
  // The app belongs to a developer, not to the resource owner: EG deactivates a
  // user's apps along with the user, and the tests deactivate the resource owner.
  const developer = await admin.createUser({
    username: `${username}-developer`,
    firstname: 'App',
    lastname: 'Developer'
  });
  const app = await admin.registerClient(
    {
      name: options.appName ?? 'demo-app',
      userId: developer.id,
      redirectUri: options.redirectUri ?? 'http://127.0.0.1:8000/callback',
      ...(options.redirectUris ? { redirectUris: options.redirectUris.join(' ') } : {}),
      ...(options.postLogoutRedirectUris ? { postLogoutRedirectUris: options.postLogoutRedirectUris.join(' ') } : {})
    },
    scopes
  );
  return {
    user: { id: user.id, username, password },
    developer: { id: developer.id },
    app: { id: app.id, name: app.name, secret: app.secret, scopes }
  };
}
