/** Files for the bundle upload tests. */
export const bundleFixture = {
  /** Bytes that are no zip at all, named .zip. */
  notAZip: Buffer.from('this is a text file wearing a .zip name\n'),
};
