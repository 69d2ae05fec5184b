// The child record's fields in groups (docs/programme.md, `child`); fields not named here are
// shown last under 其他, so a field added to the schema still appears.
export const CHILD_SECTIONS = [
  { key: 'basic', fields: ['name', 'gender', 'birth_date', 'id_number', 'ethnicity', 'household', 'hukou_address', 'address', 'phone'] },
  { key: 'category', fields: ['category', 'category_evidence', 'category_review_on', 'found_abandoned', 'difficulty'] },
  {
    key: 'parents',
    fields: ['father_status', 'father_status_since', 'father_status_until', 'father_work_place', 'mother_status', 'mother_status_since', 'mother_status_until', 'mother_work_place'],
  },
  // The guardian's consent (required by the server for a child under 14) next to the guardians.
  { key: 'living', fields: ['living_support', 'living_notes', 'guardians', 'consent_by', 'consent_on', 'entrusted_guardian', 'guardianship', 'guardianship_notes'] },
  { key: 'school', fields: ['school', 'grade', 'school_level', 'schooling_completed', 'study_aid_wish'] },
  { key: 'health', fields: ['health', 'disability_grade', 'disability_type'] },
]
