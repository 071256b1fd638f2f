// Acceptance: what `sealbridge seal` writes opens with a decryptor written here from the format
// description alone (2-byte big-endian length ‖ RSA-OAEP-SHA256 wrapped key ‖ AES-256-GCM body
// with a 12-byte zero nonce ‖ 16-byte tag, standard base64). It uses node:crypto only and shares
// no code with src/.
import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { fixturePath } from '../crypto/fixtures.ts';

const keyPem = readFileSync(fixturePath('key-a.pem'), 'utf8');
const certPath = fixturePath('cert-a.pem');

function independentOpen(b64: string, label: string): Buffer {
  const buf = Buffer.from(b64, 'base64');
  const rsaLen = buf.readUInt16BE(0);
  const wrapped = buf.subarray(2, 2 + rsaLen);
  const rest = buf.subarray(2 + rsaLen);
  const sessionKey = privateDecrypt(
    {
      key: keyPem,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
      oaepLabel: Buffer.from(label),
    },
    wrapped,
  );
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(rest.subarray(rest.length - 16));
  return Buffer.concat([decipher.update(rest.subarray(0, rest.length - 16)), decipher.final()]);
}

const secretYaml = (annotations = ''): string => `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: team-a
${annotations}data:
  password: ${Buffer.from([0, 1, 2, 255, 254]).toString('base64')}
stringData:
  user: admin
`;

describe('seal output opened by an independent decryptor', () => {
  it.each([
    ['strict', 'team-a/db'],
    ['namespace-wide', 'team-a'],
    ['cluster-wide', ''],
  ])('%s scope uses label "%s"', async (scope, label) => {
    const res = await runCli(['seal', '--cert', certPath, '--scope', scope], {
      stdin: secretYaml(),
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const docs = parseAllDocuments(res.stdout);
    const ss = (Array.isArray(docs) ? docs : [])[0]?.toJS() as {
      spec: { encryptedData: Record<string, string> };
    };
    expect(independentOpen(ss.spec.encryptedData['password']!, label)).toEqual(
      Buffer.from([0, 1, 2, 255, 254]),
    );
    expect(independentOpen(ss.spec.encryptedData['user']!, label).toString()).toBe('admin');
    for (const wrong of ['team-a/db', 'team-a', '', 'team-b/db'].filter((l) => l !== label)) {
      expect(() => independentOpen(ss.spec.encryptedData['user']!, wrong)).toThrow();
    }
  });

  it('opens --raw output too', async () => {
    const res = await runCli(
      ['seal', '--raw', '--cert', certPath, '--namespace', 'n', '--name', 'x'],
      { stdin: 'raw value' },
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(independentOpen(res.stdout, 'n/x').toString()).toBe('raw value');
  });
});
