-- The partnership's practice review and learning manager leads multi-agency audits
-- (Bexley Children's Social Care Quality Assurance Framework, §1.4).
ALTER TYPE "Role" ADD VALUE 'PRACTICE_REVIEW_LEARNING_MANAGER' BEFORE 'ADMIN';
