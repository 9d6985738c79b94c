<?php
/*
 * forumcrawl test bed for WordPress + Asgaros Forum (run with php-cli: php asgaros_seed.php SITE_DIR BASE_URL STEP).
 *
 * STEP "install": wordpress_seed.php's (WordPress installed, Asgaros Forum in the active plugins).
 * STEP "seed": loading WordPress lets Asgaros Forum build its tables and its "Forum" page (the [forum]
 *   shortcode) as on a site's first request after activation. Reads a JSON spec on stdin (options, users,
 *   boards with threads, a blog post with comments); makes users with wp_insert_user, a forum category
 *   (wp_insert_term in the plugin's taxonomy, as its admin screen does), the boards with
 *   $asgarosforum->content->insert_forum, every topic and reply with insert_topic / insert_post. Those stamp
 *   the current time: each post's date is then set to the spec's. A quoting reply opens with the quote the
 *   plugin's editor puts in (blockquote, "Quote from NAME on DATE" title, the quoted post's text). Then the
 *   blog post, the main menu, and the ground truth read back from the forum_posts table as one JSON line.
 */
define('FC_PLUGIN', 'asgaros-forum/asgaros-forum.php');
define('FC_TITLE', 'Asgaros 测试站');
require __DIR__ . '/wordpress_seed.php';
global $asgarosforum, $wpdb;
if (!isset($asgarosforum) || !$asgarosforum->options['location']) {
    fwrite(STDERR, "Asgaros Forum is not loaded or made no forum page\n");
    exit(2);
}
$asgarosforum->save_options(array_merge(get_option('asgarosforum_options', array()), $spec['options']));

$uids = fc_users($spec['users']);
$tables = $asgarosforum->tables;
$category = fc_check(wp_insert_term('Community', 'asgarosforum-category'), 'wp_insert_term');
update_term_meta($category['term_id'], 'category_access', 'everyone');
update_term_meta($category['term_id'], 'order', 1);
$forum_ids = array();
foreach ($spec['boards'] as $order => $board) {
    $forum = fc_check($asgarosforum->content->insert_forum($category['term_id'], $board['name'], $board['description'],
        0, 'fas fa-comments', $order + 1), "insert_forum({$board['name']})");
    $forum_ids[] = $forum;
    foreach ($board['threads'] as $thread) {
        $ids = array();
        foreach ($thread['posts'] as $i => $post) {
            $text = $post['text'];
            if (isset($post['quotes'])) {
                $quoted = $wpdb->get_row($wpdb->prepare("SELECT text, author_id, date FROM {$tables->posts} WHERE id = %d",
                    $ids[$post['quotes']]));
                $text = '<blockquote><div class="quotetitle">' . __('Quote from', 'asgaros-forum') . ' '
                    . $asgarosforum->getUsername($quoted->author_id) . ' '
                    . sprintf(__('on %s', 'asgaros-forum'), $asgarosforum->format_date($quoted->date)) . '</div>'
                    . $quoted->text . '</blockquote><br>' . $text;
            }
            if ($i === 0) {
                $new = $asgarosforum->content->insert_topic($forum, $thread['title'], $text, $uids[$post['author']]);
                $topic = fc_check($new->topic_id, 'insert_topic');
                $pid = fc_check($new->post_id, 'insert_topic');
            } else {
                $pid = fc_check($asgarosforum->content->insert_post($topic, $forum, $text, $uids[$post['author']]), 'insert_post');
            }
            $wpdb->update($tables->posts, array('date' => fc_date($post['time'])), array('id' => $pid));
            $ids[] = $pid;
        }
    }
}

$post_id = fc_blog($spec['blog']);
$forum_page = get_permalink($asgarosforum->options['location']);
fc_menu('Forum', $forum_page);
flush_rewrite_rules(false);

// The ground truth, from the posts table: every topic with its posts in the order Asgaros Forum shows them (by id).
$rows = $wpdb->get_results("SELECT p.id, p.parent_id, p.date, p.text, u.display_name, f.name AS board
    FROM {$tables->posts} p JOIN {$tables->topics} t ON t.id = p.parent_id JOIN {$tables->forums} f ON f.id = t.parent_id
    JOIN {$wpdb->users} u ON u.ID = p.author_id ORDER BY p.parent_id, p.id", ARRAY_A);
$topics = array();
foreach ($rows as $r) {
    $tid = $r['parent_id'];
    if (!isset($topics[$tid])) {
        $topics[$tid] = array('tid' => (int) $tid, 'title' => $asgarosforum->content->get_topic_title($tid),
            'board' => $r['board'], 'url' => $asgarosforum->get_link('topic', (int) $tid, false, '', false),
            'posts' => array());
    }
    $topics[$tid]['posts'][] = array('pid' => (int) $r['id'], 'author' => $r['display_name'],
        'date_gmt' => get_gmt_from_date($r['date']), 'content' => $r['text']);
}
$boards = array();
foreach ($forum_ids as $id) {
    $boards[] = $asgarosforum->get_link('forum', $id, false, '', false);
}
echo json_encode(array('threads' => array_values($topics), 'forum_url' => $forum_page, 'boards' => $boards,
    'blog_url' => get_permalink($post_id), 'comments' => fc_comments()), JSON_UNESCAPED_UNICODE) . "\n";
