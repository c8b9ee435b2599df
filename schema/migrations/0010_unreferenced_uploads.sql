-- Uploads the county server holds that no record within the uploading device's places refers
-- to yet (the record may follow within a short window). They count against the device's quota
-- and are collected once the window has passed with still no record referring to them.
CREATE TABLE unreferenced_uploads (
    sha256      TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (sha256, device_id)
) WITHOUT ROWID;
CREATE INDEX unreferenced_uploads_received ON unreferenced_uploads (received_at);
