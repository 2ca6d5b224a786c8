// Worker threads start without the parent's loader: register tsx, then load the TS worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
