-- When the county server last answered each device, and which app version it ran then: what the
-- county reads to see which stations have gone silent or still run an old app.
ALTER TABLE device_grants ADD COLUMN last_contact_at TEXT;
ALTER TABLE device_grants ADD COLUMN app_version TEXT;
