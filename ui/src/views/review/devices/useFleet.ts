import { computed, ref } from 'vue'
import type { DeviceHealth } from '@/bindings/DeviceHealth'
import type { FleetHealth } from '@/bindings/FleetHealth'
import { fleetHealth } from '@/api/sync'
import { toAppError, type AppError } from '@/api/error'

/** How a device's row reads at a glance: stopped, silent too long, refused lately, waiting to send, or well. */
export type DeviceState = 'revoked' | 'silent' | 'error' | 'waiting' | 'ok'

export function deviceState(device: DeviceHealth): DeviceState {
  if (device.revoked_at) return 'revoked'
  if (device.silent) return 'silent'
  // A refusal after the last full sync is still the device's problem; one before it was overcome.
  // Times are to the second: a refusal in the same second as the last sync counts as after it.
  if (device.last_error_at && (!device.last_sync_at || device.last_error_at >= device.last_sync_at)) return 'error'
  if ((device.shards_waiting ?? 0) > 0) return 'waiting'
  return 'ok'
}

/** The county's device list, asked of the county server (it lives there, so it needs the network). */
export function useFleet() {
  const fleet = ref<FleetHealth | null>(null)
  const loading = ref(false)
  const error = ref<AppError | null>(null)
  const silentCount = computed(() => fleet.value?.devices.filter((device) => device.silent).length ?? 0)

  async function load() {
    loading.value = true
    error.value = null
    try {
      fleet.value = await fleetHealth()
    } catch (rejection) {
      // Keep what was shown: an offline refresh should not blank the list.
      error.value = toAppError(rejection)
    } finally {
      loading.value = false
    }
  }

  return { fleet, loading, error, silentCount, load }
}
