// electron-builder's afterPack hook (electron-builder.yml). electron-builder
// loads plain JavaScript, so this registers tsx (as bin/recon.mjs does) and
// hands over to the TypeScript checks in after-pack.ts.
import { register } from 'tsx/esm/api';

register();
const { afterPack } = await import('./after-pack.ts');

export default afterPack;
