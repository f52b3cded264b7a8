export default async function globalTeardown(): Promise<void> {
  await globalThis.__DOCKET_REDIS__?.stop();
}
