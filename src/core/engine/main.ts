// dist/engine.cjs: the engine process's program (entry.ts).
import { runEngine } from './entry';

runEngine();
