import ky, { HTTPError, type KyInstance } from 'ky';
import PQueue from 'p-queue';
import { AccessTokens, DEFAULT_TOKEN_URL, type LinkedInCredentials } from './auth.js';
import { ApiVersionError, DailyQuotaError, LinkedInApiError } from './errors.js';
import { queryString, type QueryValue } from './restli.js';
import type { RequestCounter } from './requests.js';
import { utf8Text } from '../../utf8.js';

/** The versioned REST API. */
export const DEFAULT_API_BASE_URL = 'https://api.linkedin.com/rest/';
/**
 * The pinned LinkedIn-Version: monthly versions are served about a year, so this
 * moves with releases of this package (202601 is served until January 2027).
 */
export const DEFAULT_API_VERSION = '202601';
/** Requests in flight at once, across every account of a sync. */
export const DEFAULT_CONCURRENCY = 3;
/** A query longer than this goes by query tunneling (LinkedIn's own clients switch at ~4 KB). */
export const MAX_QUERY_LENGTH = 4096;

export interface LinkedInClientOptions {
  credentials: LinkedInCredentials;
  /** Default DEFAULT_API_BASE_URL. */
  baseUrl?: string | undefined;
  /** The OAuth token endpoint for refresh grants (default LinkedIn's). */
  tokenUrl?: string | undefined;
  /** LinkedIn-Version, YYYYMM (default DEFAULT_API_VERSION). */
  apiVersion?: string | undefined;
  /** Requests in flight at once (default 3). */
  concurrency?: number | undefined;
  /** Retries of a 429 (not the daily limit), a 5xx or a network error (default 5). */
  retries?: number | undefined;
  /** The first backoff delay; each next one doubles, with full jitter (default 1 s). */
  retryDelayMs?: number | undefined;
  /** The longest wait for one retry, Retry-After included (default 60 s). */
  maxRetryDelayMs?: number | undefined;
  /** Give up on one attempt after this long (default 120 s). */
  timeoutMs?: number | undefined;
  /** Stops every request (Ctrl-C). */
  signal?: AbortSignal | undefined;
}

export type { RequestCounter } from './requests.js';

export interface GetOptions {
  /** Sends `X-RestLi-Method: FINDER` (the creatives finder requires it). */
  finder?: boolean | undefined;
  /**
   * Requests waiting for a slot go by priority, higher first (default 0): a step of a
   * chain (the next page, which other requests wait for) before a request that
   * nothing waits for, so that the slots never run dry while chains are long.
   */
  priority?: number | undefined;
  counter?: RequestCounter | undefined;
  /** Stops this request (and keeps it from starting). */
  signal?: AbortSignal | undefined;
}

/**
 * A client of LinkedIn's versioned REST API: the headers every call needs, bounded
 * concurrency, retries that honour Retry-After and back off with jitter (ky), a
 * token refresh on 401, query tunneling for long queries, and errors that say what
 * to change. Every HTTP request it really makes (retries and refreshes included)
 * is counted.
 */
export class LinkedInClient {
  /** Every HTTP request made so far. */
  requestsMade = 0;
  readonly apiVersion: string;
  private readonly baseUrl: string;
  private readonly queue: PQueue;
  private readonly http: KyInstance;
  private readonly tokens: AccessTokens;
  private quotaSpentUntil: Date | null = null;
  private readonly longestWaitMs: number;
  /** The bytes of each successful response, read by countedFetch. */
  private readonly bodies = new WeakMap<Response, ArrayBuffer>();

  constructor(private readonly options: LinkedInClientOptions) {
    this.baseUrl = options.baseUrl ?? DEFAULT_API_BASE_URL;
    if (!this.baseUrl.endsWith('/')) this.baseUrl += '/';
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    if (!/^\d{6}$/.test(this.apiVersion)) throw new ApiVersionError(this.apiVersion);
    this.queue = new PQueue({ concurrency: options.concurrency ?? DEFAULT_CONCURRENCY });
    const base = options.retryDelayMs ?? 1000;
    const longest = options.maxRetryDelayMs ?? 60_000;
    this.http = ky.create({
      timeout: options.timeoutMs ?? 120_000,
      ...(options.signal && { signal: options.signal }),
      retry: {
        limit: options.retries ?? 5,
        methods: ['get', 'post'], // a tunneled POST is a read
        statusCodes: [429, 500, 502, 503, 504],
        afterStatusCodes: [429, 503],
        maxRetryAfter: longest,
        backoffLimit: longest,
        delay: (attempt) => base * 2 ** (attempt - 1),
        jitter: true,
        retryOnTimeout: true,
        shouldRetry: async ({ error }) => {
          if (!(error instanceof HTTPError)) return undefined;
          // The daily limit resets at 00:00 UTC: a retry before then is a wasted call.
          if (await isDailyQuota(error.response)) return false;
          // ky would wait the longest it may and retry before the time asked for: a
          // call sure to be refused again, and spent from the quota.
          return retryAfterMs(error.response) > longest ? false : undefined;
        },
      },
    });
    this.longestWaitMs = longest;
    this.tokens = new AccessTokens(options.credentials, options.tokenUrl ?? DEFAULT_TOKEN_URL, (url, form, counter) =>
      this.http.post(url, { body: form, throwHttpErrors: retryable, fetch: this.countedFetch(counter) }),
    );
  }

  /** The access tokens exchanged so far: secrets, like the credentials. */
  get secrets(): string[] {
    return this.tokens.secrets;
  }

  /**
   * GET `path` (relative to the base URL) with the query; resolves to the parsed JSON
   * body. Throws LinkedInApiError (status and LinkedIn's message), ApiVersionError
   * (426), DailyQuotaError, LinkedInAuthError.
   */
  async get<T>(path: string, query: ReadonlyArray<readonly [string, QueryValue]>, options: GetOptions = {}): Promise<T> {
    return parseBody<T>(await this.getBody(path, query, options));
  }

  /**
   * As get(), but resolves to the body's bytes, unparsed: a sync parses its large
   * analytics responses on a worker thread (src/ingest/parse-worker.ts), so that this
   * thread stays free to start requests the moment slots free up.
   */
  getBody(path: string, query: ReadonlyArray<readonly [string, QueryValue]>, options: GetOptions = {}): Promise<ArrayBuffer> {
    return this.queue.add(() => this.send(path, queryString(query), options), { priority: options.priority ?? 0 });
  }

  /** One request, its retries and refreshes: resolves to the body's bytes. */
  private async send(path: string, query: string, options: GetOptions): Promise<ArrayBuffer> {
    options.signal?.throwIfAborted();
    let tunnel = query.length > MAX_QUERY_LENGTH;
    let token = await this.tokens.current(options.counter);
    let renewed = false;
    for (;;) {
      if (this.quotaSpentUntil && this.quotaSpentUntil > new Date()) throw new DailyQuotaError(this.quotaSpentUntil);
      const response = await this.attempt(path, query, token, tunnel, options);
      if (response.ok) return this.bodies.get(response) ?? (await response.arrayBuffer());
      if (response.status === 401 && !renewed) {
        token = await this.tokens.renew(token, options.counter);
        renewed = true;
        continue;
      }
      if (response.status === 414 && !tunnel) {
        tunnel = true;
        continue;
      }
      throw await this.failure(path, response);
    }
  }

  private async attempt(path: string, query: string, token: string, tunnel: boolean, options: GetOptions): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      'LinkedIn-Version': this.apiVersion,
      'X-Restli-Protocol-Version': '2.0.0',
    };
    if (options.finder) headers['X-RestLi-Method'] = 'FINDER';
    const fetch = this.countedFetch(options.counter, true);
    const signal = options.signal;
    try {
      if (!tunnel) return await this.http.get(`${this.baseUrl}${path}${query ? `?${query}` : ''}`, { headers, fetch, throwHttpErrors: retryable, ...(signal && { signal }) });
      // Query tunneling: the query as a form body of a POST that says it is a GET.
      headers['X-HTTP-Method-Override'] = 'GET';
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      return await this.http.post(`${this.baseUrl}${path}`, { headers, body: query, fetch, throwHttpErrors: retryable, ...(signal && { signal }) });
    } catch (error) {
      if (this.options.signal?.aborted) throw this.options.signal.reason;
      if (signal?.aborted) throw signal.reason;
      // A 429 or 5xx still failing after its retries (or a daily-limit 429, not retried).
      if (error instanceof HTTPError) return error.response;
      // Retries exhausted on a network error or timeout (no response at all). The
      // error is not kept as the cause: ky's errors hold the request, headers and token.
      throw new LinkedInApiError(`GET ${path}: no response from LinkedIn (${(error as Error).message})`, 0, null);
    }
  }

  /**
   * fetch, counting each request on the client and on the unit of work, and reading
   * the whole body before it resolves: ky's timeout and retries cover only the fetch
   * it calls, so a connection dropped or stalled mid-body is then retried (and timed
   * out) like one that fails before the headers. With `aside`, a success's bytes are
   * kept in `bodies` rather than put back in the Response, which would copy them.
   */
  private countedFetch(counter: RequestCounter | undefined, aside = false): typeof fetch {
    return async (input, init) => {
      this.requestsMade += 1;
      if (counter) counter.calls += 1;
      const response = await fetch(input, init);
      const bytes = await response.arrayBuffer();
      const head = { status: response.status, statusText: response.statusText, headers: response.headers };
      if (!aside || !response.ok) return new Response(NULL_BODY_STATUSES.has(response.status) ? null : bytes, head);
      const read = new Response(null, head);
      this.bodies.set(read, bytes);
      return read;
    };
  }

  private async failure(path: string, response: Response): Promise<Error> {
    if (response.status === 426) return new ApiVersionError(this.apiVersion);
    if (response.status === 429 && (await isDailyQuota(response))) {
      this.quotaSpentUntil = nextUtcMidnight();
      return new DailyQuotaError(this.quotaSpentUntil);
    }
    const body = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown } | null;
    const apiCode = typeof body?.code === 'string' ? body.code : null;
    const said = typeof body?.message === 'string' ? `: ${body.message}` : '';
    const wait = retryAfterMs(response);
    const later =
      wait > this.longestWaitMs
        ? `; LinkedIn asks to wait ${Math.ceil(wait / 1000)} s before trying again (Retry-After), longer than the ${Math.round(this.longestWaitMs / 1000)} s a retry waits here: run it again later`
        : '';
    return new LinkedInApiError(`GET ${path}: ${response.status}${apiCode ? ` ${apiCode}` : ''}${said}${later}`, response.status, apiCode);
  }
}

/**
 * A response body's JSON, parsed after a turn of the event loop: the request has
 * left its slot, and the next one is on its way while this body is parsed.
 */
export async function parseBody<T>(body: ArrayBuffer): Promise<T> {
  await new Promise((resolve) => setImmediate(resolve));
  return JSON.parse(utf8Text(body)) as T;
}

/** Statuses whose Response cannot have a body. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Statuses ky retries (it retries only what it throws); every other one is answered as it is. */
const retryable = (status: number) => status === 429 || status >= 500;

/** How long a 429 or 503 asks to wait (Retry-After: seconds or an HTTP date), in ms; 0 when it does not say. */
function retryAfterMs(response: Response): number {
  const value = response.status === 429 || response.status === 503 ? response.headers.get('retry-after') : null;
  if (value === null || value.trim() === '') return 0;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** A 429 that names the DAY limit (application or member): no retry helps before 00:00 UTC. */
async function isDailyQuota(response: Response): Promise<boolean> {
  if (response.status !== 429) return false;
  const text = await response.clone().text().catch(() => '');
  return /\bDAY limit\b/i.test(text);
}

function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}
