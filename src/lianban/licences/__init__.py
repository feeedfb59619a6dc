"""The electronic licence library (电子证照库): licences held by applicants, reused by later cases."""
