-- 0014: consents and medical information are looked up by the card's keys alone (insurer, symbol, number,
-- branch), because medication and checkup requests carry no birth date; and an outpatient's consent given
-- at the reader (MedicalTreatmentFlag 1) is kept beside the home consents. The rows kept under the old
-- index cannot be re-keyed (it is a one-way HMAC): they are dropped and the next consent list brings
-- them back; withdrawals are asked for again from the start.
DELETE FROM medical_info_cache;
DELETE FROM consented_patients;
DELETE FROM settings WHERE key = 'homeConsent.withdrawalsAsOf';
