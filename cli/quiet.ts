// Third-party start-up noise that a pgferry user cannot act on in the command they ran.
//
// The AWS SDK prints a NodeVersionSupportWarning on every process under Node < 22: SDK releases after
// the first week of January 2027 will need Node 22. pgferry pins its SDK versions, so nothing changes for
// a pgferry install until pgferry itself moves; the README says which Node versions are supported and
// what the SDK's requirement means. A value the user set in the environment is left alone.

export const SDK_NODE_WARNING_ENV = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env[SDK_NODE_WARNING_ENV] ??= 'true';
}
