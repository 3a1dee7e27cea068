-- The queue of obligations `submission-floor.pgb` submits, on a copy of a generated province
-- (`CREATE DATABASE floor TEMPLATE duban`): unsubmitted obligations of every unit, in random
-- order, each taken once through a sequence.
CREATE TABLE owed AS
SELECT row_number() OVER (ORDER BY random()) AS n, o.task_id, o.period_id, o.unit_id
  FROM obligations o
 WHERE o.report_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM progress_reports r
                    WHERE r.task_id = o.task_id AND r.period_id = o.period_id
                      AND r.unit_id = o.unit_id)
 LIMIT 200000;
CREATE UNIQUE INDEX ON owed (n);
CREATE SEQUENCE owed_seq;
VACUUM ANALYZE owed;
