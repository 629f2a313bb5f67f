import { LinkedInAuthError } from './errors.js';

/** LinkedIn's OAuth 2.0 token endpoint (3-legged refresh grant). */
export const DEFAULT_TOKEN_URL = 'https://www.linkedin.com/oauth/v2/accessToken';

/**
 * How the client authenticates: an access token, or an app's client id and secret
 * with a member's refresh token (exchanged when there is no access token, or when
 * LinkedIn rejects it with 401), or both.
 */
export interface LinkedInCredentials {
  accessToken?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  refreshToken?: string | undefined;
}

/** LINKEDIN_ACCESS_TOKEN, LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET and LINKEDIN_REFRESH_TOKEN. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): LinkedInCredentials {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return {
    accessToken: value('LINKEDIN_ACCESS_TOKEN'),
    clientId: value('LINKEDIN_CLIENT_ID'),
    clientSecret: value('LINKEDIN_CLIENT_SECRET'),
    refreshToken: value('LINKEDIN_REFRESH_TOKEN'),
  };
}

/** The secrets of a set of credentials: what no output, error or log may contain. */
export function secretsOf(credentials: LinkedInCredentials): string[] {
  return [credentials.accessToken, credentials.clientSecret, credentials.refreshToken].filter((s): s is string => !!s);
}

import type { RequestCounter } from './requests.js';

type Post = (url: string, form: URLSearchParams, counter: RequestCounter | undefined) => Promise<Response>;

/**
 * The current access token. A refresh is shared: requests that are rejected together
 * with the same token wait for one exchange, not one each.
 */
export class AccessTokens {
  private token: string | undefined;
  private refreshing: Promise<string> | null = null;
  private readonly issued = new Set<string>();

  constructor(
    private readonly credentials: LinkedInCredentials,
    private readonly tokenUrl: string,
    private readonly post: Post,
  ) {
    this.token = credentials.accessToken;
    const { clientId, clientSecret, refreshToken } = credentials;
    if (!this.token && !(clientId && clientSecret && refreshToken)) {
      throw new LinkedInAuthError('no LinkedIn credentials: an access token, or a client id, client secret and refresh token', true);
    }
  }

  /** The token to send; exchanges the refresh token first when there is none (counted on `counter`). */
  async current(counter?: RequestCounter): Promise<string> {
    return this.token ?? this.refresh(counter);
  }

  /** Every token this source has held: what no output may contain. */
  get secrets(): string[] {
    return [...this.issued];
  }

  /** After a 401 for `rejected`: a new token, or LinkedInAuthError when none can be had. */
  async renew(rejected: string, counter?: RequestCounter): Promise<string> {
    if (this.token !== undefined && this.token !== rejected) return this.token; // another request renewed it already
    if (!this.canRefresh()) throw new LinkedInAuthError('LinkedIn rejected the access token (401) and there is no refresh token to exchange');
    this.token = undefined;
    return this.refresh(counter);
  }

  private canRefresh(): boolean {
    const { clientId, clientSecret, refreshToken } = this.credentials;
    return !!(clientId && clientSecret && refreshToken);
  }

  private refresh(counter: RequestCounter | undefined): Promise<string> {
    this.refreshing ??= this.exchange(counter).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async exchange(counter: RequestCounter | undefined): Promise<string> {
    const { clientId, clientSecret, refreshToken } = this.credentials;
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken!, client_id: clientId!, client_secret: clientSecret! });
    const response = await this.post(this.tokenUrl, form, counter).catch((error: unknown) => {
      // Not kept as the cause: an HTTP client's error holds the request, and this one's body is the secrets.
      const said = error instanceof Error && 'response' in error ? `${(error as { response: Response }).response.status}` : 'no response';
      throw new LinkedInAuthError(`the refresh token exchange failed (${said})`);
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok || typeof body.access_token !== 'string' || body.access_token === '') {
      // The error fields are LinkedIn's words about the grant, never the secrets sent.
      const reason = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
      throw new LinkedInAuthError(`the refresh token exchange failed (${response.status}${reason ? ` ${reason}` : ''})`);
    }
    this.token = body.access_token;
    this.issued.add(this.token);
    return this.token;
  }
}
