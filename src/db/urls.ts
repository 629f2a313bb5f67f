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
 * `text` with the password of every URL in it, and each of `secrets` (passwords or
 * whole connection strings), replaced by ***: for error messages and logs, which
 * must never carry credentials.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = [process.env['DATABASE_URL']]): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (!secret) continue;
    let password = secret;
    try {
      password = new URL(secret).password;
    } catch {
      // not a URL: the secret itself
    }
    for (const form of new Set([password, safeDecode(password)])) if (form.length >= 3) out = out.split(form).join('***');
  }
  return out;
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
