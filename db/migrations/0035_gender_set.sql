-- 0035: a respectful set of genders replaces the seed's joke entry (issue 12, defect 11).
--
-- The original app's model offered "Attack Helicopter"; the set is now
-- Male, Female, Non-binary, Other, Prefer not to say (common/wire.c,
-- wire_genders).  Stored values are mapped, not refused: "Attack
-- Helicopter" becomes "Other" (the person chose something outside
-- Male/Female), "Undefined" (never chosen) becomes "Prefer not to say",
-- which is also the new default.
ALTER TABLE profiles DROP CONSTRAINT profiles_gender_check;
UPDATE profiles SET gender = 'Other' WHERE gender = 'Attack Helicopter';
UPDATE profiles SET gender = 'Prefer not to say' WHERE gender = 'Undefined';
ALTER TABLE profiles ALTER COLUMN gender SET DEFAULT 'Prefer not to say';
ALTER TABLE profiles ADD CONSTRAINT profiles_gender_check
	CHECK (gender IN ('Male', 'Female', 'Non-binary', 'Other',
		'Prefer not to say'));
