// An update from the county, on the enrolled caseworker's computer (the installed app, when
// ./dev.sh test runs it): the county adds a signed package with `xianglin-county release add`;
// a copy altered on the server is downloaded and refused, the header saying so; the good one
// downloads at the next sync, 安装更新 backs the computer up and installs it with apt (the test
// runs as root, so no privilege prompt), and dpkg then knows the new version. Runs only when
// ./dev.sh gives it a package and its signature (XIANGLIN_UPDATE_PACKAGE, _SIGNATURE): it
// installs system-wide.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { browser, navItem, screenshot, slow, waitFor } from './lib.mjs'

const packagePath = process.env.XIANGLIN_UPDATE_PACKAGE
const signature = process.env.XIANGLIN_UPDATE_SIGNATURE
const version = packagePath?.match(/xianglin_([^_]+)_/)?.[1]

async function syncNow() {
  await navItem('同步').click()
  await browser.$('[data-test=sync-now]').click()
}

export const steps = packagePath
  ? [
      ['a signed update from the county: an altered copy is refused, the good one downloads and 安装更新 installs it', async () => {
        const added = execFileSync(
          process.env.XIANGLIN_COUNTY_BIN,
          ['--config', process.env.XIANGLIN_COUNTY_CONFIG, 'release', 'add', packagePath, signature],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        )
        const sha256 = added.match(/sha256 ([0-9a-f]{64})/)[1]
        const kept = join(process.env.XIANGLIN_COUNTY_RELEASES, `${sha256}.deb`)
        const good = readFileSync(kept)
        const altered = Buffer.from(good)
        altered[altered.length - 1000] ^= 1
        writeFileSync(kept, altered)
        await syncNow()
        await waitFor(() => browser.$('[data-test=update-failed]').isExisting(), 'the altered package refused', slow)
        await screenshot('update-refused')

        writeFileSync(kept, good)
        await syncNow()
        const install = browser.$('[data-test=update-install]')
        await waitFor(() => install.isExisting(), `安装更新 ${version} offered`, slow)
        const offered = await install.getText()
        if (!offered.includes(version)) throw new Error(`the button says ${offered}`)
        await install.click()
        await browser.$('[data-test=update-dialog]').waitForDisplayed({ timeout: slow })
        await screenshot('update-confirm')
        await browser.$('[data-test=update-confirm]').click()
        await waitFor(() => browser.$('[data-test=update-installed]').isExisting(), 'the update installed', slow * 4)
        const installed = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'xianglin'], { encoding: 'utf8' })
        if (installed !== version) throw new Error(`dpkg knows xianglin ${installed}, not ${version}`)
        console.log(`     xianglin ${installed} installed from the county's release`)
        await screenshot('update-installed')
      }],
    ]
  : []
