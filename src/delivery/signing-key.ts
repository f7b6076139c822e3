/**
 * The broker's SNS signing identity: an RSA key, made on first start and kept in the data directory (0600)
 * so signatures stay verifiable across restarts, and a self-signed certificate for it, made with
 * @peculiar/x509 on Node's WebCrypto. Memory brokers get an ephemeral pair. Only the key is needed to
 * start: the certificate (and the x509 library) is built in the background and awaited by whoever fetches
 * it first.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, webcrypto, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type * as X509 from "@peculiar/x509";
import { installReflectMetadata } from "./reflect-metadata.js";

export interface SigningMaterial {
  privateKeyPem: string;
  /** 32 hex characters naming the certificate file, as AWS's SimpleNotificationService-<id>.pem does. */
  certId: string;
  /** The PEM certificate of the key; built once, on first call. */
  certificate(): Promise<string>;
}

const KEY_FILE = "sns-signing-key.pem";
const CERT_FILE = "sns-signing-cert.pem";
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const DAY_MS = 24 * 3600 * 1000;

type SelfSignedParams = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[0];
type CryptoProvider = Parameters<typeof X509.X509CertificateGenerator.createSelfSigned>[1];

/** Loaded on first use only: a broker whose certificate is on disk never needs it. */
async function loadX509(): Promise<typeof X509> {
  installReflectMetadata();
  return import("@peculiar/x509");
}

async function generateKeyPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Names the certificate after the public key, so the name is known before the certificate exists. */
function certIdOf(privateKeyPem: string): string {
  const spki = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
  return createHash("md5").update(spki).digest("hex");
}

async function selfSigned(privateKeyPem: string): Promise<string> {
  const x509 = await loadX509();
  const privateKey = createPrivateKey(privateKeyPem);
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const keys = {
    privateKey: await webcrypto.subtle.importKey("pkcs8", pkcs8, RSA, true, ["sign"]),
    publicKey: await webcrypto.subtle.importKey("spki", spki, RSA, true, ["verify"]),
  };
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: createHash("sha256").update(spki).digest("hex").slice(0, 16).replace(/^[89a-f]/, "1"),
      name: "CN=sns.amazonaws.com, O=Sluice",
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 20 * 365 * DAY_MS),
      signingAlgorithm: RSA as SelfSignedParams["signingAlgorithm"],
      // Node's WebCrypto types and the DOM ones @peculiar/x509 is typed with describe the same objects.
      keys: keys as unknown as SelfSignedParams["keys"],
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
    },
    webcrypto as unknown as CryptoProvider,
  );
  return `${certificate.toString("pem")}\n`;
}

/** Whether a stored certificate is for this key (the key file may have been replaced by hand). */
function certifies(certificatePem: string, privateKeyPem: string): boolean {
  try {
    const certified = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
    return certified.equals(createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" }));
  } catch {
    return false;
  }
}

function material(privateKeyPem: string, loadCertificate: () => Promise<string>): SigningMaterial {
  let certificate: Promise<string> | undefined;
  return {
    privateKeyPem,
    certId: certIdOf(privateKeyPem),
    certificate: () => (certificate ??= loadCertificate()),
  };
}

/** Memory brokers of one process share one ephemeral pair: key generation is the slow part of a start. */
let ephemeral: Promise<SigningMaterial> | undefined;

/** Reads the key from `dataDir`, creating it there on first start; without a directory, an ephemeral one. */
export async function loadOrCreateSigningMaterial(dataDir?: string): Promise<SigningMaterial> {
  if (dataDir === undefined) {
    ephemeral ??= generateKeyPem().then((pem) => material(pem, () => selfSigned(pem)));
    return ephemeral;
  }
  const keyPath = join(dataDir, KEY_FILE);
  const certPath = join(dataDir, CERT_FILE);
  let privateKeyPem: string;
  if (existsSync(keyPath)) {
    privateKeyPem = readFileSync(keyPath, "utf8");
  } else {
    privateKeyPem = await generateKeyPem();
    writeFileSync(keyPath, privateKeyPem, { mode: 0o600 });
    chmodSync(keyPath, 0o600);
  }
  return material(privateKeyPem, async () => {
    if (existsSync(certPath)) {
      const stored = readFileSync(certPath, "utf8");
      if (certifies(stored, privateKeyPem)) return stored;
    }
    const pem = await selfSigned(privateKeyPem);
    writeFileSync(certPath, pem);
    return pem;
  });
}
