import type { Migration } from "kysely";
import * as initial from "./20261127000000_initial.ts";
import * as annotationWorkflow from "./20261127010000_annotation_workflow.ts";
import * as adjudication from "./20261127020000_adjudication.ts";
import * as loginAttemptsByIp from "./20261205010000_login_attempts_by_ip.ts";
import * as participantKeys from "./20261205020000_participant_keys.ts";
import * as deployment from "./20261205030000_deployment.ts";
import * as labelTruth from "./20261205040000_label_truth.ts";
import * as spanText from "./20261205050000_span_text.ts";
import * as workingTime from "./20261205060000_working_time.ts";
import * as passwordLinks from "./20261205070000_password_links.ts";
import * as guidelinesAndFlags from "./20261205080000_guidelines_and_flags.ts";
import * as itemSearch from "./20261205090000_item_search.ts";
import * as projectEvents from "./20261205100000_project_events.ts";
import * as webhooks from "./20261205110000_webhooks.ts";
import * as qualitySnapshots from "./20261206010000_quality_snapshots.ts";
import * as participantsWhoWorked from "./20261206020000_participants_who_worked.ts";
import * as stablePseudonyms from "./20261206030000_stable_pseudonyms.ts";
import * as labellersKeepPseudonyms from "./20261207010000_labellers_keep_pseudonyms.ts";
import * as searchWordsOnly from "./20261207020000_search_words_only.ts";
import * as ratesAtWork from "./20261207030000_rates_at_work.ts";
import * as revealedLabels from "./20261207035000_revealed_labels.ts";
import * as deploymentSecret from "./20261207040000_deployment_secret.ts";
import * as accessNotifications from "./20261208010000_access_notifications.ts";
import * as webhooksTurnedOff from "./20261208020000_webhooks_turned_off.ts";

/** Every migration, listed statically so that no bundler or packager can lose one. */
export const migrations: Record<string, Migration> = {
  "20261127000000_initial": initial,
  "20261127010000_annotation_workflow": annotationWorkflow,
  "20261127020000_adjudication": adjudication,
  "20261205010000_login_attempts_by_ip": loginAttemptsByIp,
  "20261205020000_participant_keys": participantKeys,
  "20261205030000_deployment": deployment,
  "20261205040000_label_truth": labelTruth,
  "20261205050000_span_text": spanText,
  "20261205060000_working_time": workingTime,
  "20261205070000_password_links": passwordLinks,
  "20261205080000_guidelines_and_flags": guidelinesAndFlags,
  "20261205090000_item_search": itemSearch,
  "20261205100000_project_events": projectEvents,
  "20261205110000_webhooks": webhooks,
  "20261206010000_quality_snapshots": qualitySnapshots,
  "20261206020000_participants_who_worked": participantsWhoWorked,
  "20261206030000_stable_pseudonyms": stablePseudonyms,
  "20261207010000_labellers_keep_pseudonyms": labellersKeepPseudonyms,
  "20261207020000_search_words_only": searchWordsOnly,
  "20261207030000_rates_at_work": ratesAtWork,
  "20261207035000_revealed_labels": revealedLabels,
  "20261207040000_deployment_secret": deploymentSecret,
  "20261208010000_access_notifications": accessNotifications,
  "20261208020000_webhooks_turned_off": webhooksTurnedOff,
};
