import { METRIC_TABLE } from '../../store/fields.js';
import { analyticsEnvelope, type Envelope } from '../export.js';
import { urnOf } from '../urn.js';
import { parseBody, type GetOptions, type LinkedInClient, type RequestCounter } from './client.js';
import { LinkedInApiError } from './errors.js';
import { restliDateRange, restliList, restliValue, Restli, type QueryValue } from './restli.js';
import { dayNumber, dayOfNumber } from '../../days.js';
import { pages, type Page } from './paging.js';

/** Every campaign status: the search finder leaves out those it is not given. */
export const CAMPAIGN_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'COMPLETED', 'CANCELED', 'DRAFT', 'PENDING_DELETION', 'REMOVED'] as const;

/** The demographic pivots the store keeps (audience_demographics.pivot_type). */
export const DEFAULT_PIVOTS = [
  'MEMBER_COMPANY_SIZE',
  'MEMBER_COUNTRY_V2',
  'MEMBER_INDUSTRY',
  'MEMBER_JOB_FUNCTION',
  'MEMBER_JOB_TITLE',
  'MEMBER_REGION_V2',
  'MEMBER_SENIORITY',
  'MEMBER_COMPANY',
] as const;

/** adAnalytics stops at this many elements without saying so. */
export const ANALYTICS_ELEMENT_CAP = 15_000;
/** Fields per analytics request, dateRange and pivotValues included: more is a 400. */
export const MAX_FIELDS_PER_REQUEST = 20;

/** The metrics the store keeps, by their API names: one list, the metrics' field table. */
const DAILY_METRICS: readonly string[] = METRIC_TABLE.map((field) => field.linkedin);
/** A demographic row keeps its impressions and clicks (src/linkedin/elements.ts mapAnalytics). */
const DEMOGRAPHIC_METRICS = ['impressions', 'clicks'] as const;
/** Always requested: how chunks of one element are matched up. */
const KEY_FIELDS = ['dateRange', 'pivotValues'] as const;

const PAGE_SIZE = { campaigns: 500, creatives: 100 } as const;
/** Below the priority of any account's chains and windows (2 × rank + 1, ranks count accounts). */
const FILLER_PRIORITY = 1_000_000_000;

export interface PullOptions {
  /** Inclusive days, YYYY-MM-DD. */
  from: string;
  to: string;
  /** Lower than 20 only to exercise chunking against a stricter server. */
  maxFieldsPerRequest?: number | undefined;
  /** Lower than 15,000 only to exercise window splitting against a smaller server cap. */
  elementCap?: number | undefined;
}

export interface PullProgress {
  /** Requests answered so far for this account. */
  done: number;
  /** Requests known to be needed so far (grows as pages and windows are discovered). */
  planned: number;
}

export interface PullResult {
  campaigns: number;
  creatives: number;
}

/** What an analytics response's elements are: their pivot, its window, and (demographics) the account. */
export interface AnalyticsResponse {
  pivot: string;
  /** Set for a MEMBER_* pivot, whose elements do not name their account. */
  account?: string | undefined;
  window: { from: string; to: string };
  /** A response holding this many elements or more may have been cut (it is fetched again, split). */
  cap: number;
}

/** An analytics response parsed: how many elements it holds, and what hands them on (called only under the cap). */
export interface ParsedAnalytics {
  elements: number;
  emit(): Promise<void>;
}

/** Parses the body of one analytics response (bytes of JSON with `elements`). */
export type AnalyticsParser = (body: ArrayBuffer, response: AnalyticsResponse) => Promise<ParsedAnalytics>;

/** What an account's pull is told and tells: shared by its listing and its analytics. */
export interface PullHooks {
  counter?: RequestCounter | undefined;
  onProgress?: ((progress: PullProgress) => void) | undefined;
  /** Stops the account's requests (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /**
   * Rank of this account among those pulled at once, higher first (default 0): its
   * requests go before those of lower ranks (its demographic pivots excepted, which
   * go after everything), so that accounts finish one after another and each one's
   * merge overlaps the next ones' fetching, instead of all finishing together at
   * the end with their merges still to do.
   */
  rank?: number | undefined;
  /**
   * The account's element as the accounts search returned it: the token can read
   * the account (the search lists no other), so it is neither checked nor fetched
   * again. Absent for an account named by the caller, which is checked first.
   */
  listed?: unknown;
}

/**
 * One account fetched: its element first (an account the token cannot read is an
 * error here, never an empty success; one the accounts search listed is known to be
 * readable, and its element is the search's), then its campaigns of every status and
 * its creatives (paged), each pivot's daily analytics for the whole account at once,
 * and the demographic pivots monthly.
 *
 * The listing (the account and its pages, chains of requests that each wait for the
 * last) may be started early with list(), before the account has anywhere to stage
 * it: a sync lists the next accounts while earlier ones still fetch, so that when
 * an account's turn comes its analytics are asked for at once, and the sync does
 * not end on a chain of pages with its last merge still to do.
 */
export class AccountPull {
  private readonly progress: PullProgress;
  /**
   * The first failure stops the account's other requests: no branch goes on
   * spending requests, or staging rows, for an account that has failed.
   */
  private readonly failed = new AbortController();
  private readonly signal: AbortSignal;
  private listing: AccountListing | null = null;
  private answeredAll!: () => void;
  /**
   * Resolves once every request planned so far is answered: the account asks for
   * nothing more, unless a response at the element cap (still being parsed) splits
   * its window. A sync frees the account's fetching slot then, so that the next
   * account's requests start while this one's last rows are still staged.
   */
  readonly answered = new Promise<void>((resolve) => (this.answeredAll = resolve));

  constructor(
    private readonly client: LinkedInClient,
    private readonly accountId: number,
    /** MEMBER_* pivots to fetch monthly. */
    private readonly pivots: readonly string[] = DEFAULT_PIVOTS,
    private readonly hooks: PullHooks = {},
  ) {
    // The account (unless listed), the first page of each listing, one request of each daily pivot, and each demographic pivot.
    this.progress = { done: 0, planned: (hooks.listed === undefined ? 5 : 4) + pivots.length };
    this.signal = hooks.signal ? AbortSignal.any([hooks.signal, this.failed.signal]) : this.failed.signal;
  }

  /**
   * Starts the listing, once: the account's element, then both listings at once.
   * Nothing is staged yet; pull() stages them. Safe to call early: a failure is
   * kept for pull() to throw.
   */
  list(): AccountListing {
    if (this.listing) return this.listing;
    const account = this.hooks.listed !== undefined ? Promise.resolve(this.hooks.listed) : this.stopOnFailure(this.fetchAccount());
    // The listings only once the account is known to be readable: no request is spent on one that is not.
    const listing = (kind: 'campaigns' | 'creatives') => this.stopOnFailure(account.then(() => this.listEntities(kind)));
    this.listing = { account, campaigns: listing('campaigns'), creatives: listing('creatives') };
    // Handled here, thrown by pull(): an account stopped before its turn leaves no unhandled rejection.
    for (const step of Object.values(this.listing)) step.catch(() => {});
    return this.listing;
  }

  /**
   * Fetches the account (its listing, started by list() or now) and hands each
   * response's elements to `emit` as export envelopes, in the order they arrive;
   * `emit` is awaited (it stages them). Its pivot's analytics are asked for once a
   * listing is staged whole, so that every row staged after it has its parent staged.
   */
  async pull(
    options: PullOptions,
    emit: (envelopes: Envelope[]) => Promise<void>,
    parsing: {
      /**
       * Parses analytics responses of one chunk of fields (the usual case) instead of
       * this thread's JSON.parse and `emit` (given as `here`): a sync parses large ones
       * on a worker thread.
       */
      parseAnalytics?: ((body: ArrayBuffer, response: AnalyticsResponse, here: AnalyticsParser) => Promise<ParsedAnalytics>) | undefined;
    } = {},
  ): Promise<PullResult> {
    const signal = this.signal;
    const stage = async (envelopes: Envelope[]) => {
      signal.throwIfAborted();
      await emit(envelopes);
    };
    const parseHere: AnalyticsParser = async (body, response) => {
      const elements = ((await parseBody<Page>(body)).elements ?? []) as AnalyticsElement[];
      return { elements: elements.length, emit: () => stage(elements.map((element) => analyticsEnvelope(element, response.pivot, response.account))) };
    };
    const parse: AnalyticsParser = async (body, response) => {
      const parsed = await (parsing.parseAnalytics ? parsing.parseAnalytics(body, response, parseHere) : parseHere(body, response));
      return {
        elements: parsed.elements,
        emit: async () => {
          signal.throwIfAborted();
          await parsed.emit();
        },
      };
    };
    const accountUrn = urnOf('sponsoredAccount', String(this.accountId));
    const http = { get: this.get, getBody: this.getBody, parse };
    const analytics = new AnalyticsFetcher(http, accountUrn, options, this.plan, stage);

    const listing = this.list();
    await stage([{ adAccount: await listing.account }]);
    const daily = async (pivot: 'CAMPAIGN' | 'CREATIVE', listed: Promise<unknown[]>, envelope: (element: unknown) => Envelope): Promise<number> => {
      const elements = await listed;
      await stage(elements.map(envelope));
      await analytics.daily(pivot, elements.length);
      return elements.length;
    };
    const branches = [
      this.stopOnFailure(daily('CAMPAIGN', listing.campaigns, (element) => ({ adCampaign: element }))),
      this.stopOnFailure(daily('CREATIVE', listing.creatives, (element) => ({ creative: element }))),
      ...this.pivots.map((pivot) => this.stopOnFailure(analytics.monthly(pivot).then(() => 0))),
    ];
    // Every branch has ended before this returns or throws: nothing runs on after the account.
    const settled = await Promise.allSettled(branches);
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw this.failed.signal.reason ?? failure.reason;
    const [campaigns, creatives] = settled.map((outcome) => (outcome as PromiseFulfilledResult<number>).value);
    return { campaigns: campaigns!, creatives: creatives! };
  }

  /**
   * Stops what of the account is still under way (a listing whose pull() never
   * came) and waits for it to end: nothing runs on after the account.
   */
  async stop(): Promise<void> {
    if (!this.failed.signal.aborted) this.failed.abort(new Error('the account was stopped'));
    if (this.listing) await Promise.allSettled(Object.values(this.listing));
  }

  /** The account's element: the check that the token can read it (403 or 404 fails the account, never an empty success). */
  private fetchAccount(): Promise<unknown> {
    return this.get<unknown>(`adAccounts/${this.accountId}`, [], { chain: true }).catch((error: unknown) => {
      if (error instanceof LinkedInApiError && (error.status === 403 || error.status === 404)) {
        throw new LinkedInApiError(`the token cannot read this account (${error.status}${error.apiCode ? ` ${error.apiCode}` : ''})`, error.status, error.apiCode);
      }
      throw error;
    });
  }

  /** Every element of one listing, page after page. */
  /** How many campaigns and creatives the listings returned (0 for one not ended): a failed account's row says so too. */
  readonly listed = { campaigns: 0, creatives: 0 };

  private async listEntities(kind: 'campaigns' | 'creatives'): Promise<unknown[]> {
    const path = kind === 'campaigns' ? `adAccounts/${this.accountId}/adCampaigns` : `adAccounts/${this.accountId}/creatives`;
    const finder: Array<[string, QueryValue]> =
      kind === 'campaigns'
        ? [['q', 'search'], ['search', new Restli(`(status:(values:List(${CAMPAIGN_STATUSES.join(',')})))`)]]
        : [['q', 'criteria']];
    const elements: unknown[] = [];
    for await (const page of pages(finder, PAGE_SIZE[kind], (query) => {
      if (elements.length > 0) this.plan(1); // a page after the first (planned from the start)
      return this.get<Page>(path, query, { finder: kind === 'creatives', chain: true });
    })) {
      elements.push(...page);
    }
    this.listed[kind] = elements.length;
    return elements;
  }

  private stopOnFailure<T>(branch: Promise<T>): Promise<T> {
    return branch.catch((error: unknown) => {
      this.failed.abort(error);
      throw error;
    });
  }

  private readonly plan = (requests: number) => {
    this.progress.planned += requests;
    this.progressed();
  };

  private progressed(): void {
    this.hooks.onProgress?.({ ...this.progress });
    if (this.progress.done === this.progress.planned) this.answeredAll();
  }

  private async request<R>(send: (options: GetOptions) => Promise<R>, how: How): Promise<R> {
    const rank = this.hooks.rank ?? 0;
    // The account and its pages are chains (each step waits for the last): ahead of the
    // account's analytics, behind every request of a higher-ranked account. Fillers
    // (the demographic pivots) go after every other request of every account: their
    // responses are small and nothing waits on them, so they take the slots that
    // chains leave idle, each account's daily windows (whose merge is the database's
    // work) come as early as they can, and the last requests of a sync are small ones.
    const priority = how.filler ? rank - FILLER_PRIORITY : 2 * rank + (how.chain ? 1 : 0);
    const body = await send({ finder: how.finder, priority, counter: this.hooks.counter, signal: this.signal });
    this.progress.done += 1;
    this.progress.planned = Math.max(this.progress.planned, this.progress.done);
    this.progressed();
    return body;
  }

  private readonly get: Get = (path, query, how = {}) => this.request((o) => this.client.get(path, query, o), how);
  private readonly getBody: GetBody = (path, query, how = {}) => this.request((o) => this.client.getBody(path, query, o), how);
}

/** An account's listing under way: its element, then its campaigns and creatives. */
export interface AccountListing {
  account: Promise<unknown>;
  campaigns: Promise<unknown[]>;
  creatives: Promise<unknown[]>;
}

type How = { finder?: boolean; chain?: boolean; filler?: boolean };
type Get = <T>(path: string, query: ReadonlyArray<readonly [string, QueryValue]>, how?: How) => Promise<T>;
type GetBody = (path: string, query: ReadonlyArray<readonly [string, QueryValue]>, how?: How) => Promise<ArrayBuffer>;
type AnalyticsElement = Record<string, unknown> & { pivotValues?: unknown; dateRange?: unknown };

/** adAnalytics for one account: windows sized under the element cap, metrics chunked under the field cap. */
class AnalyticsFetcher {
  private readonly cap: number;
  private readonly metricsPerRequest: number;

  constructor(
    private readonly http: { get: Get; getBody: GetBody; parse: AnalyticsParser },
    private readonly accountUrn: string,
    private readonly options: PullOptions,
    private readonly plan: (requests: number) => void,
    private readonly emit: (envelopes: Envelope[]) => Promise<void>,
  ) {
    this.cap = options.elementCap ?? ANALYTICS_ELEMENT_CAP;
    this.metricsPerRequest = (options.maxFieldsPerRequest ?? MAX_FIELDS_PER_REQUEST) - KEY_FIELDS.length;
    if (this.metricsPerRequest < 1) throw new RangeError('maxFieldsPerRequest leaves no room for a metric');
  }

  /**
   * The daily rows of every campaign (or creative) of the account. At most one row
   * per entity and day: windows of cap / entities days stay under the cap.
   */
  async daily(pivot: 'CAMPAIGN' | 'CREATIVE', entities: number): Promise<void> {
    if (entities === 0) return this.plan(-1); // one request of this pivot was planned from the start
    // Under the cap, not at it: a response holding exactly the cap may have been cut.
    const windowDays = Math.max(1, Math.floor((this.cap - 1) / entities));
    const windows = splitDays(this.options.from, this.options.to, windowDays);
    const chunks = chunk(DAILY_METRICS, this.metricsPerRequest);
    this.plan(windows.length * chunks.length - 1);
    await Promise.all(windows.map((window) => this.window(pivot, 'DAILY', window, chunks)));
  }

  /**
   * The monthly rows of one MEMBER_* pivot for the account, from the first day of
   * the range's first month: a row is keyed by its first day, so a month fetched
   * again replaces its row instead of adding a clipped one beside it.
   */
  async monthly(pivot: string): Promise<void> {
    const chunks = chunk(DEMOGRAPHIC_METRICS, this.metricsPerRequest);
    this.plan(chunks.length - 1);
    await this.window(pivot, 'MONTHLY', { from: `${this.options.from.slice(0, 7)}-01`, to: this.options.to }, chunks, this.accountUrn);
  }

  /**
   * One window, every chunk of fields, merged per (pivot value, date range). A chunk
   * that comes back holding exactly the cap may have been cut: the window is split in
   * two and fetched again.
   */
  private async window(
    pivot: string,
    granularity: 'DAILY' | 'MONTHLY',
    window: { from: string; to: string },
    chunks: ReadonlyArray<readonly string[]>,
    account?: string,
  ): Promise<void> {
    const query = (fields: readonly string[]): Array<[string, QueryValue]> => [
      ['q', 'analytics'],
      ['pivot', restliValue(pivot)],
      ['timeGranularity', restliValue(granularity)],
      ['dateRange', restliDateRange(window.from, window.to)],
      ['accounts', restliList([this.accountUrn])],
      ['fields', new Restli([...KEY_FIELDS, ...fields].join(','))], // field names: identifiers, commas unencoded
    ];
    const how = { filler: granularity === 'MONTHLY' };
    const response: AnalyticsResponse = { pivot, account, window, cap: this.cap };
    const split = async () => {
      const halves = granularity === 'MONTHLY' ? halveMonths(window) : halve(window);
      if (!halves) {
        throw new LinkedInApiError(`adAnalytics ${pivot} ${window.from}: one day of the account holds ${this.cap} elements or more, more than one request can return`, 200, 'ELEMENT_CAP');
      }
      this.plan(2 * chunks.length);
      await Promise.all(halves.map((half) => this.window(pivot, granularity, half, chunks, account)));
    };
    if (chunks.length === 1) {
      // One chunk of fields (the usual case: the store's metrics fit one request):
      // nothing to merge, and the body may be parsed elsewhere (hooks.parseAnalytics).
      const parsed = await this.http.parse(await this.http.getBody('adAnalytics', query(chunks[0]!), how), response);
      await (parsed.elements >= this.cap ? split() : parsed.emit());
      return;
    }
    const responses = await Promise.all(chunks.map((fields) => this.http.get<Page>('adAnalytics', query(fields), how)));
    if (responses.some((body) => (body.elements?.length ?? 0) >= this.cap)) return split();
    const merged = new Map<string, AnalyticsElement>();
    for (const body of responses) {
      for (const element of (body.elements ?? []) as AnalyticsElement[]) {
        const key = JSON.stringify([element.pivotValues, element.dateRange]);
        const known = merged.get(key);
        if (known) Object.assign(known, element);
        else merged.set(key, { ...element });
      }
    }
    await this.emit([...merged.values()].map((element) => analyticsEnvelope(element, pivot, account)));
  }
}

/** from..to in consecutive windows of at most `days` days. */
export function splitDays(from: string, to: string, days: number): Array<{ from: string; to: string }> {
  const windows: Array<{ from: string; to: string }> = [];
  for (let start = dayNumber(from); start <= dayNumber(to); start += days) {
    windows.push({ from: dayOfNumber(start), to: dayOfNumber(Math.min(start + days - 1, dayNumber(to))) });
  }
  return windows;
}

function halve(window: { from: string; to: string }): [{ from: string; to: string }, { from: string; to: string }] | null {
  const first = dayNumber(window.from);
  const last = dayNumber(window.to);
  if (first === last) return null;
  const middle = Math.floor((first + last) / 2);
  return [{ from: window.from, to: dayOfNumber(middle) }, { from: dayOfNumber(middle + 1), to: window.to }];
}

/** A window of whole months split between months (a monthly row must not be clipped twice). */
function halveMonths(window: { from: string; to: string }): [{ from: string; to: string }, { from: string; to: string }] | null {
  const months = (Number(window.to.slice(0, 4)) - Number(window.from.slice(0, 4))) * 12 + Number(window.to.slice(5, 7)) - Number(window.from.slice(5, 7));
  if (months === 0) return null;
  const first = new Date(Date.UTC(Number(window.from.slice(0, 4)), Number(window.from.slice(5, 7)) - 1 + Math.ceil(months / 2), 1));
  const start = first.toISOString().slice(0, 10);
  return [{ from: window.from, to: dayOfNumber(dayNumber(start) - 1) }, { from: start, to: window.to }];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
