"""Golf: what balancing handicaps may cost, and what it did

Revision ID: 2df0b373a66c
Revises: 40bcfb9a58f9
Create Date: 2026-11-28 11:05:10.367827

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2df0b373a66c'
down_revision = '40bcfb9a58f9'
branch_labels = None
depends_on = None


def upgrade():
    # Sessions planned before this keep the default: balancing may give up 5% of match value.
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('balance_cost_percent', sa.Integer(), nullable=False, server_default='5')
        )
        batch_op.create_check_constraint(
            op.f('ck_event_session_balance_cost_percent'), 'balance_cost_percent between 0 and 100'
        )

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handicap_spread_before', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('balance_cost', sa.Double(), nullable=True))


def downgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('balance_cost')
        batch_op.drop_column('handicap_spread_before')

    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_session_balance_cost_percent'), type_='check')
        batch_op.drop_column('balance_cost_percent')
