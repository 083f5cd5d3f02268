export { exportBundle, type ExportOptions, type ExportResult } from './export';
export { openBundle } from './inspect';
export { bundleAnswer } from './answer';
export { compareBundles, type NamedBundle } from './compare';
export { BundleError, DEFAULT_ZIP_LIMITS, unsafeEntryName, type ZipLimits } from './safe-zip';
export { Redactor, isPrivateAddress, type RedactionRules } from './redact';
