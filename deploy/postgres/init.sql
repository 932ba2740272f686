-- One database per service, each owned by its own role (DEVELOPMENT passwords: change them).
-- Run once by the postgres image on an empty data directory.
CREATE ROLE dvk_intake LOGIN PASSWORD 'dvk_intake-dev';
CREATE ROLE dvk_routing LOGIN PASSWORD 'dvk_routing-dev';
CREATE ROLE dvk_notify LOGIN PASSWORD 'dvk_notify-dev';
CREATE ROLE dvk_reporting LOGIN PASSWORD 'dvk_reporting-dev';
CREATE DATABASE dvk_intake OWNER dvk_intake;
CREATE DATABASE dvk_routing OWNER dvk_routing;
CREATE DATABASE dvk_notify OWNER dvk_notify;
CREATE DATABASE dvk_reporting OWNER dvk_reporting;
REVOKE ALL ON DATABASE dvk_intake, dvk_routing, dvk_notify, dvk_reporting FROM PUBLIC;
