/**
 * The text with the password of every URL in it (`scheme://user:password@host`) and every secret-looking query
 * parameter (`password=`, `sslpassword=`, `...key=`, `...token=`, `...secret=`) replaced by `***`, for anything printed
 * or logged. Everything from the user name's colon to the last `@` of the word is masked, so a password with an
 * unencoded `@`, `/` or `#` does not leak either. SQLite paths and `:memory:` come back as they are.
 */
export function maskPasswords(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)\S*@/gi, '$1***@')
    .replace(/([?&][^=&\s]*(?:pass|secret|key|token)[^=&\s]*=)[^&\s]*/gi, '$1***');
}
