-- The current entry of each elder. An elder who moved village has an entry in each village's
-- shard; the current one is the entry not marked moved. If every entry this replica holds is
-- marked moved (the elder left this device's villages), the current entry is the one in the
-- first shard. Every "which entry is the elder now" question reads this view.
CREATE VIEW current_elders AS
SELECT e.*
FROM elders e
WHERE e.voided = 0
  AND e.shard = (
      SELECT o.shard FROM elders o
      WHERE o.id = e.id AND o.voided = 0
      ORDER BY o.life_state = 'moved', o.shard
      LIMIT 1
  );
