/** Who is calling: every resource lives in one account and one region. */
export interface Caller {
  accountId: string;
  region: string;
  /** The access key id the request was signed with, used as SenderId. */
  accessKeyId: string;
}

export const DEFAULT_ACCOUNT_ID = "000000000000";
export const DEFAULT_REGION = "us-east-1";

export function callerFromAccessKey(accessKeyId: string | undefined, region: string | undefined): Caller {
  const key = accessKeyId && accessKeyId.length > 0 ? accessKeyId : DEFAULT_ACCOUNT_ID;
  return {
    accountId: /^\d{12}$/.test(key) ? key : DEFAULT_ACCOUNT_ID,
    region: region && region.length > 0 ? region : DEFAULT_REGION,
    accessKeyId: key,
  };
}

export interface Arn {
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function formatArn(arn: Arn): string {
  return `arn:aws:${arn.service}:${arn.region}:${arn.accountId}:${arn.resource}`;
}

export function parseArn(value: string): Arn | undefined {
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, , service, region, accountId, ...rest] = parts;
  return { service, region, accountId, resource: rest.join(":") };
}
