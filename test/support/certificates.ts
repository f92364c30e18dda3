// A throwaway self-signed certificate for the TLS tests, made with the openssl command line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM key and certificate for 127.0.0.1 (valid one day), or why none could be made. */
export type SelfSigned =
  | { readonly kind: 'made'; readonly key: string; readonly cert: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Makes a self-signed P-256 certificate for `IP:127.0.0.1` in a temporary folder it removes again. */
export function selfSignedCertificate(): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'kompact-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=kompact-ts test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      kind: 'made',
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch (error) {
    return {
      kind: 'unavailable',
      reason: `openssl could not make a self-signed certificate: ${String(error)}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
