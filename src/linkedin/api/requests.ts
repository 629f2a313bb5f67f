/** Where the HTTP requests of one unit of work (an account) are counted, retries and token exchanges included. */
export interface RequestCounter {
  calls: number;
}
