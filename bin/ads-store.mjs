#!/usr/bin/env node
// The ads-store command: the compiled CLI in dist/ (`npm run build`; `prepare` runs it
// on `npm install` in a checkout, and a packed or published package ships dist/).
await import('../dist/cli/main.js');
