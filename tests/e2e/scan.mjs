// After the whole end-to-end run (every page used, a second computer enrolled, a visit synced):
// no file the two apps and the county server wrote holds a name, ID number or phone of the demo
// in clear. `node scan.mjs <values file> <folder or file>...`; the values are the demo's
// (`xianglin-demo needles`). Exported files meant for people (the export folder) are not given.
// Prints what it scanned; exits 1 naming each file and how many values it holds in clear.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const [valuesFile, ...roots] = process.argv.slice(2)
const values = readFileSync(valuesFile, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.length >= 2)
if (values.length < 400) {
  console.log(`FAIL only ${values.length} values to look for`)
  process.exit(1)
}
const needles = values.map((value) => Buffer.from(value, 'utf8'))

function* files(path) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) yield* files(join(path, name))
  } else if (path !== valuesFile) {
    yield path
  }
}

let scanned = 0
let bytes = 0
const exposed = []
for (const root of roots) {
  for (const file of files(root)) {
    const content = readFileSync(file)
    scanned += 1
    bytes += content.length
    const found = needles.filter((needle) => content.includes(needle)).length
    if (found > 0) exposed.push(`${file}: ${found} values in clear`)
  }
}
if (exposed.length > 0) {
  console.log(`FAIL personal data in clear:\n     ${exposed.join('\n     ')}`)
  process.exit(1)
}
console.log(`ok   none of the demo's ${values.length} names, ID numbers and phones in ${scanned} files (${(bytes / 1e6).toFixed(1)} MB) the apps and the server wrote`)
