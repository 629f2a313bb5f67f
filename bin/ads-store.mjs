#!/usr/bin/env node
// The ads-store command. The package runs from its TypeScript sources through
// tsx's loader, so there is no build step between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
