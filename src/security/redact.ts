/**
 * A database URL fit to print or log: the password (and any secret-looking query parameter) replaced by `***`.
 * SQLite paths and `:memory:` have no secret and come back as they are; text that is not a URL comes back with
 * anything between `//user:` and the last `@` masked, so a malformed URL still never shows its password.
 */
export function maskDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Up to the last `@`: a password may hold `/` or `@` itself, and masking too much is harmless.
    return url.replace(/(\/\/[^/:@]*:).*@/s, '$1***@');
  }
  if (parsed.protocol === 'file:' || !url.includes('//')) return url;
  if (parsed.password !== '') parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    if (/pass|secret|key|token/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}
