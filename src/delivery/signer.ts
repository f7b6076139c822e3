import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import type { MessageSigner } from "../core/sns/envelope.js";
import type { SigningMaterial } from "./signing-key.js";

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA; both base64, as SNS signs. */
export function createMessageSigner(material: SigningMaterial): MessageSigner {
  // Parsed once: a KeyObject signs without re-reading the PEM per message.
  const key: KeyObject = createPrivateKey(material.privateKeyPem);
  return {
    sign(canonical, version) {
      const signer = createSign(version === "2" ? "RSA-SHA256" : "RSA-SHA1");
      signer.update(canonical, "utf8");
      return signer.sign(key, "base64");
    },
  };
}
