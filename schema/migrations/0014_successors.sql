-- A PC enrolled to replace a lost or broken one (`xianglin-county successor <old> <new>`):
-- the server takes the old PC's changes from it too, so that the edits the old PC never sent
-- can come up from its last backup.
ALTER TABLE device_grants ADD COLUMN succeeds TEXT;
