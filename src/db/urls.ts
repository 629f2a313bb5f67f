/**
 * Connection URLs: masked for output, with secrets redacted from messages, or
 * pointed at another database of the same server. Pure functions.
 */

/** The URL with its password replaced by ***; text that is not a URL comes back as `<unparsable URL>`. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}

/**
 * `text` with the password of every URL in it, and each of `secrets` replaced by ***:
 * for error messages and logs, which must never carry credentials. A secret that is
 * a URL (a connection string) stands for its password; any other (a token, a client
 * secret) for itself, in full.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = [process.env['DATABASE_URL']]): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (!secret) continue;
    const hidden = secret.includes('://') ? passwordOf(secret) : secret;
    for (const form of new Set([hidden, safeDecode(hidden)])) if (form.length >= 3) out = out.split(form).join('***');
  }
  return out;
}

/** A connection string's password ('' when it has none); an unparsable one stands for itself. */
function passwordOf(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return url;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The same server's URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
