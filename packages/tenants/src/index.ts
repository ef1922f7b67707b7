export { apiKeyDigest, tenantOfApiKey } from './api-key.ts';
export { TenantDirectory, type ReloadResult } from './tenant-directory.ts';
export { parseTenantsFile, readTenantsFile, type Tenant } from './tenants-file.ts';
export { reloadOnSighup, type ReloadLogger } from './reload-on-sighup.ts';
