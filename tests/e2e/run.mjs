// Runs every spec in order, in one app session until the last spec restarts the app: the
// registry opens the demo county the visit, meal, adaptation, conflict, check, duplicate, export,
// report and approval specs then work on (the last four as the county reviewer, signed in from the
// header).
// Prints one final "N passed, N failed, N skipped" line.
import { browser, runSteps, startApp } from './lib.mjs'
import { steps as registry } from './registry.spec.mjs'
import { steps as visits } from './visits.spec.mjs'
import { steps as meals } from './meals.spec.mjs'
import { steps as adaptation } from './adaptation.spec.mjs'
import { steps as conflicts } from './conflicts.spec.mjs'
import { steps as anomalies } from './anomalies.spec.mjs'
import { steps as duplicates } from './duplicates.spec.mjs'
import { steps as approvals } from './approvals.spec.mjs'
import { steps as cityExport } from './city-export.spec.mjs'
import { steps as dashboards } from './dashboards.spec.mjs'
import { steps as registryEdit } from './registry-edit.spec.mjs'
import { steps as startup } from './startup.spec.mjs'
import { steps as sync } from './sync.spec.mjs'
import { steps as backup } from './backup.spec.mjs'

try {
  await startApp()
} catch (error) {
  console.log(`FAIL the app starts under tauri-driver\n     ${error.message}`)
  console.log('0 passed, 1 failed, 0 skipped')
  process.exit(1)
}

let counts
try {
  counts = await runSteps([...registry, ...visits, ...meals, ...adaptation, ...conflicts, ...anomalies, ...duplicates, ...cityExport, ...dashboards, ...approvals, ...registryEdit, ...startup, ...backup, ...sync])
} finally {
  await browser.deleteSession()
}

console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`)
process.exitCode = counts.failed > 0 ? 1 : 0
