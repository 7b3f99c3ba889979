#!/usr/bin/env node
// Runs the TypeScript entry through tsx so `npx larder` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
